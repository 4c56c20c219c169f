package io.freshet.cli;

import io.freshet.services.LocalServices;
import io.freshet.services.ServiceStatus;
import io.freshet.services.ServicesConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code freshet services stop}: stops the servers that {@code start} launched. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description = {
      "Stops the Kafka and Cassandra JVMs started from this state dir (found by their pid files;"
          + " a pid is signalled only if its command line proves it is ours) and waits for them"
          + " to exit: SIGTERM, then SIGKILL after the timeout. Data stays in the state dir."
    },
    footer = {
      "",
      "Examples:",
      "  freshet services stop",
      "  freshet services stop --state-dir /tmp/freshet"
    })
final class ServicesStopCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ServicesOptions options;

  @Override
  public Integer call() {
    ServicesConfig config = options.toConfig();
    PrintWriter out = spec.commandLine().getOut();
    List<ServiceStatus> results = new LocalServices(config).stop();
    results.forEach(s -> out.println(s.describe()));
    return 0;
  }
}
