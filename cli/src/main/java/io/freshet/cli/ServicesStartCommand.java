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

/** {@code freshet services start}: starts Kafka and Cassandra and waits until both answer. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Starts Kafka and Cassandra (in parallel) unless they are already running, and waits until"
          + " Kafka answers metadata requests and Cassandra answers CQL.",
      "Needs a JDK 17 for the servers (Cassandra 5.0 runs only on 17)."
    },
    footer = {
      "",
      "Examples:",
      "  freshet services start",
      "  freshet services start --state-dir /tmp/freshet --kafka-port 39092 --cql-port 39042"
    })
final class ServicesStartCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin ServicesOptions options;

  @Override
  public Integer call() {
    ServicesConfig config = options.toConfig();
    PrintWriter out = spec.commandLine().getOut();
    out.println("Starting local services in " + config.stateDir() + " ...");
    out.flush();
    List<ServiceStatus> results = new LocalServices(config).start();
    results.forEach(s -> out.println(s.describe()));
    boolean allWereRunning =
        results.stream().allMatch(s -> s.state() == ServiceStatus.State.ALREADY_RUNNING);
    out.println();
    if (allWereRunning) {
      out.println("Everything was already running; nothing started.");
    }
    ServicesStatusCommand.printConnectionHints(out, results);
    out.println("Logs: " + config.logDir());
    return 0;
  }
}
