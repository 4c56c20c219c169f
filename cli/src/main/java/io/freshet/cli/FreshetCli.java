package io.freshet.cli;

import io.freshet.services.StateDirectory;
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
      ForgetCommand.class,
      CheckConsistencyCommand.class,
      DriftCommand.class,
      DeadLettersCommand.class,
      ViewsCommand.class,
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

  /**
   * Prints a failure: the message alone, which says what to fix, unless {@code --verbose} asks for
   * the stack trace. Wrappers (completion, execution, unchecked IO) give way to their cause. An
   * exception that signals a bug rather than bad input or a down dependency (a null pointer, an
   * index out of bounds, ...) says so and how to get its stack trace.
   */
  private static int handleFailure(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    boolean verbose = parseResult.originalArgs().contains("--verbose");
    Throwable shown = unwrap(e);
    if (verbose) {
      err.println("freshet: " + shown);
      e.printStackTrace(err);
    } else if (isBug(shown)) {
      err.println(
          "freshet: internal error: "
              + shown
              + " (run again with --verbose for the stack trace, and report it)");
    } else {
      err.println("freshet: " + message(shown));
    }
    err.flush();
    return 1;
  }

  /** The cause a wrapper carries, repeatedly; the exception itself otherwise. */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.io.UncheckedIOException
            || t instanceof java.lang.reflect.InvocationTargetException
            || (t.getMessage() == null && t.getClass() == RuntimeException.class))) {
      t = t.getCause();
    }
    return t;
  }

  /** Exceptions that mean a bug in Freshet, not input to fix or a dependency that is down. */
  static boolean isBug(Throwable t) {
    return t instanceof NullPointerException
        || t instanceof ClassCastException
        || t instanceof IndexOutOfBoundsException
        || t instanceof ArithmeticException
        || t instanceof UnsupportedOperationException
        || t instanceof Error;
  }

  /** The message, with the kind of failure where the message alone would not say it. */
  static String message(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    if (t instanceof java.nio.file.NoSuchFileException) {
      return "no such file: " + m;
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + m;
    }
    if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException) {
      return "cannot connect: " + m;
    }
    return m;
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
