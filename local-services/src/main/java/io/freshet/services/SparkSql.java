package io.freshet.services;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Spark SQL with Iceberg's Spark runtime in a JVM of its own, as a notebook runs it: the classpath
 * of local-services/spark-sql (Spark, Iceberg's runtime and the small {@code
 * io.freshet.notebooks.SparkSqlQuery} program, no Freshet code), a local SparkSession with the
 * given settings, the statements run in order. For tests and checks that read Freshet's tables the
 * way a user's notebook would.
 */
public final class SparkSql {
  /** The JDK 17 flags Spark's own launch scripts add (Spark 4 on JDK 17). */
  static final List<String> ADD_OPENS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

  private static final String MAIN = "io.freshet.notebooks.SparkSqlQuery";

  private SparkSql() {}

  /**
   * Runs {@code statements} with the SparkSession settings {@code conf}; returns each statement's
   * rows, each row its columns as Spark prints them ({@code null} for SQL NULL).
   *
   * @param log where Spark's own output goes (appended)
   * @throws IOException if Spark fails (with the end of its log) or takes longer than {@code
   *     timeout}
   */
  public static Map<String, List<List<String>>> run(
      Map<String, String> conf, List<String> statements, Path log, Duration timeout)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(JdkLocator.current().toString());
    cmd.add("-Xmx768m");
    cmd.addAll(ADD_OPENS);
    cmd.add("-cp");
    cmd.add(
        programJar()
            + java.io.File.pathSeparator
            + ServerClasspath.of("spark-sql", "Spark SQL").asArgument());
    cmd.add(MAIN);
    conf.forEach(
        (k, v) -> {
          cmd.add("--conf");
          cmd.add(k + "=" + v);
        });
    for (String s : statements) {
      cmd.add("--sql");
      cmd.add(s);
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    byte[] out;
    try (var in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("Spark SQL did not finish within " + timeout + "; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "Spark SQL failed (exit code "
              + p.exitValue()
              + "); last lines of "
              + log
              + ":\n"
              + LogTail.lastLines(log, 30));
    }
    Map<String, List<List<String>>> results = new LinkedHashMap<>();
    List<List<String>> current = null;
    for (String line : new String(out, StandardCharsets.UTF_8).split("\n", -1)) {
      if (line.startsWith("# ")) {
        current = new ArrayList<>();
        results.put(line.substring(2), current);
      } else if (current != null && !line.isEmpty()) {
        List<String> row = new ArrayList<>(Arrays.asList(line.split("\t", -1)));
        row.replaceAll(v -> v.equals("\\N") ? null : v);
        current.add(row);
      }
    }
    return results;
  }

  /** The jar (or classes directory) that holds SparkSqlQuery, found as a resource. */
  private static String programJar() {
    String resource = MAIN.replace('.', '/') + ".class";
    URL url = SparkSql.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new LocalServicesException(
          resource
              + " is not on the classpath: build it with"
              + " `./mvnw -pl local-services -am install -DskipTests`");
    }
    try {
      String s = url.toString();
      if (s.startsWith("jar:")) {
        return Path.of(new java.net.URI(s.substring(4, s.indexOf("!/")))).toString();
      }
      Path file = Path.of(url.toURI());
      Path root = file;
      for (int i = 0; i < MAIN.split("\\.").length; i++) {
        root = root.getParent();
      }
      return root.toString();
    } catch (URISyntaxException e) {
      throw new LocalServicesException("Cannot locate " + resource + " at " + url, e);
    }
  }
}
