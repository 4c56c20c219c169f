package io.freshet.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a JDK 17 to run the servers with: Cassandra 5.0 runs only on 17 (it fails on later JDKs
 * because of the SecurityManager removal). Looks at an explicit home, the JVM running this code,
 * JAVA_HOME, {@code java} on PATH, then /usr/lib/jvm.
 */
final class JdkLocator {
  static final int REQUIRED_MAJOR = 17;
  private static final Pattern RELEASE_VERSION =
      Pattern.compile("^JAVA_VERSION=\"?([0-9]+)", Pattern.MULTILINE);
  private static final Pattern VERSION_OUTPUT = Pattern.compile("version \"([0-9]+)");

  private JdkLocator() {}

  /** The java binary this JVM runs on, for the JVMs it starts with its own Java. */
  static Path current() {
    return Path.of(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java"));
  }

  /** The {@code bin/java} of a JDK 17, or a LocalServicesException listing what was tried. */
  static Path findJava17(Optional<Path> explicitHome) {
    List<String> tried = new ArrayList<>();
    if (explicitHome.isPresent()) {
      Path home = explicitHome.get();
      Optional<Integer> major = majorVersion(home);
      if (major.isPresent() && major.get() == REQUIRED_MAJOR) {
        return home.resolve("bin/java");
      }
      throw new LocalServicesException(
          "The configured Java home "
              + home
              + " (freshet.java.home / FRESHET_JAVA_HOME) is "
              + major.map(m -> "JDK " + m).orElse("not a JDK")
              + "; Cassandra 5.0 needs a JDK "
              + REQUIRED_MAJOR
              + ".");
    }
    Set<Path> candidates = new LinkedHashSet<>();
    candidates.add(Path.of(System.getProperty("java.home")));
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && !javaHome.isBlank()) {
      candidates.add(Path.of(javaHome));
    }
    javaOnPath().ifPresent(candidates::add);
    Path jvmDir = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvmDir)) {
      try (Stream<Path> homes = Files.list(jvmDir)) {
        homes.sorted().forEach(candidates::add);
      } catch (IOException e) {
        tried.add(jvmDir + " (" + e.getMessage() + ")");
      }
    }
    for (Path home : candidates) {
      Optional<Integer> major = majorVersion(home);
      if (major.isPresent() && major.get() == REQUIRED_MAJOR) {
        return home.resolve("bin/java");
      }
      tried.add(home + major.map(m -> " (JDK " + m + ")").orElse(" (no java)"));
    }
    throw new LocalServicesException(
        "No JDK "
            + REQUIRED_MAJOR
            + " found; Cassandra 5.0 runs only on Java "
            + REQUIRED_MAJOR
            + ". Tried: "
            + String.join(", ", tried)
            + ". Install one (Debian: apt-get install openjdk-17-jdk-headless) or point"
            + " FRESHET_JAVA_HOME (or JAVA_HOME) at it.");
  }

  /** The JDK home of the {@code java} found on PATH, resolving symlinks. */
  private static Optional<Path> javaOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path java = Path.of(dir, "java");
      if (Files.isExecutable(java)) {
        try {
          Path real = java.toRealPath();
          Path home = real.getParent() == null ? null : real.getParent().getParent();
          return Optional.ofNullable(home);
        } catch (IOException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The major version of the JDK at {@code home}, from its release file or {@code java -version}.
   */
  static Optional<Integer> majorVersion(Path home) {
    Path java = home.resolve("bin/java");
    if (!Files.isExecutable(java)) {
      return Optional.empty();
    }
    Path release = home.resolve("release");
    if (Files.isReadable(release)) {
      try {
        Matcher m = RELEASE_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
        if (m.find()) {
          return Optional.of(Integer.parseInt(m.group(1)));
        }
      } catch (IOException | NumberFormatException e) {
        // fall through to asking the binary
      }
    }
    try {
      Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      Matcher m = VERSION_OUTPUT.matcher(out);
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
