package io.freshet.cli;

import io.freshet.cli.flink.JobFailedException;
import io.freshet.services.LocalServicesException;
import io.freshet.services.StateDirectory;
import io.freshet.spec.SpecException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code freshet} command. Each subcommand is its own class, listed once below; add new ones
 * (validate, run, get, ...) as new classes and one line each in {@code subcommands}.
 *
 * <p>Exit codes: 0 success, 1 failure (message on stderr), 2 bad usage, 3 {@code services status}
 * found a service not running.
 */
@Command(
    name = "freshet",
    mixinStandardHelpOptions = true,
    versionProvider = FreshetCli.Version.class,
    description = "Freshet: a real-time feature store on Apache Flink.",
    subcommands = {
      ServicesCommand.class,
      ValidateCommand.class,
      GetCommand.class,
      ServeCommand.class,
      TrainingSetCommand.class,
      MaintainCommand.class,
      ProduceCommand.class,
      GenerateCommand.class,
      RunCommand.class,
      StopCommand.class,
      ClusterCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class,
    },
    footer = {"", "Example:", "  freshet services start"})
public final class FreshetCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "On an error, print its stack trace too.")
  boolean verbose;

  public static void main(String[] args) {
    // A job this JVM runs (freshet run on a MiniCluster) finds its default history catalog
    // through this property, as jobs on the local cluster do through their JVMs' own.
    System.setProperty(StateDirectory.PROPERTY, LocalDefaults.stateDir().toString());
    System.exit(execute(args));
  }

  /** Runs the CLI with the process's stdout/stderr; returns the exit code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, so tests can set their own out/err writers. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FreshetCli());
    cli.setExecutionExceptionHandler(FreshetCli::handleFailure);
    return cli;
  }

  private static int handleFailure(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    boolean verbose = parseResult.originalArgs().contains("--verbose");
    boolean expected =
        e instanceof LocalServicesException
            || e instanceof CliException
            || e instanceof JobFailedException
            || e instanceof SpecException;
    if (expected && !verbose) {
      err.println("freshet: " + e.getMessage());
    } else {
      err.println("freshet: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FreshetCli.class.getPackage().getImplementationVersion();
      return new String[] {"freshet " + (v == null ? "development" : v)};
    }
  }
}
