package io.freshet.services;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where Freshet keeps its local state: the services' data and logs, the local Flink cluster, run
 * records and the default Iceberg catalog of the history ({@code <state dir>/iceberg}). Every
 * command, the services, the local cluster and the jobs it runs resolve it here, once:
 *
 * <ol>
 *   <li>the system property {@code freshet.state.dir}, else the variable {@code FRESHET_STATE_DIR};
 *   <li>else {@code <checkout>/.freshet}, where the checkout is {@code freshet.home} / {@code
 *       FRESHET_HOME} (bin/freshet and the build set it), else the nearest directory at or above
 *       the working directory that holds {@code bin/freshet} and {@code .mvn/};
 *   <li>else {@code ~/.freshet} (Freshet run from outside a checkout).
 * </ol>
 *
 * Every JVM Freshet starts (servers, the Flink cluster) carries {@code -Dfreshet.state.dir=<dir>},
 * so a job on the local cluster finds its default catalog under the same directory.
 */
public final class StateDirectory {
  /** The system property, also the JVM argument that marks the processes of a state dir. */
  public static final String PROPERTY = "freshet.state.dir";

  public static final String VARIABLE = "FRESHET_STATE_DIR";

  private StateDirectory() {}

  /** The state dir for this JVM's system properties, environment and working directory. */
  public static Path resolve() {
    return resolve(
        System::getenv,
        System.getProperties()::getProperty,
        Path.of("").toAbsolutePath(),
        Path.of(System.getProperty("user.home")));
  }

  static Path resolve(
      Function<String, String> env,
      Function<String, String> sysProps,
      Path workingDir,
      Path userHome) {
    String dir = setting(env, sysProps, PROPERTY, VARIABLE);
    if (dir != null) {
      return Path.of(dir).toAbsolutePath().normalize();
    }
    String home = setting(env, sysProps, "freshet.home", "FRESHET_HOME");
    Optional<Path> checkout = home != null ? Optional.of(Path.of(home)) : checkoutAbove(workingDir);
    return checkout.orElse(userHome).resolve(".freshet").toAbsolutePath().normalize();
  }

  /**
   * The Freshet checkout containing {@code dir}: the nearest ancestor with {@code bin/freshet} and
   * a {@code .mvn} directory, so a test run from a module directory (IDE, surefire) finds the same
   * state dir as {@code bin/freshet}.
   */
  static Optional<Path> checkoutAbove(Path dir) {
    for (Path d = dir.toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve(".mvn")) && Files.isRegularFile(d.resolve("bin/freshet"))) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** A system property, else an environment variable; null when neither is set or blank. */
  static String setting(
      Function<String, String> env,
      Function<String, String> sysProps,
      String property,
      String variable) {
    String value = sysProps.apply(property);
    if (value == null || value.isBlank()) {
      value = env.apply(variable);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
