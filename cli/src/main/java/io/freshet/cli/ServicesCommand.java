package io.freshet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code freshet services}: the local Kafka and Cassandra servers for development and tests. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    description = {
      "Runs real Kafka and Cassandra servers on 127.0.0.1, each in its own JVM, with state and"
          + " logs under one directory (default: .freshet/ in the checkout).",
      "Default ports: Kafka 29092 (controller 29093), Cassandra CQL 29042 (storage 27000)."
    },
    subcommands = {
      ServicesStartCommand.class,
      ServicesStopCommand.class,
      ServicesStatusCommand.class,
    },
    footer = {
      "",
      "Examples:",
      "  freshet services start",
      "  freshet services status",
      "  freshet services stop"
    })
public final class ServicesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
