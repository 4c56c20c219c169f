package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scrapes the Prometheus reporters of a running Flink job (every port of a range that answers) and
 * checks a Grafana dashboard against what they expose: every metric name in a panel's expression
 * must be a name the job registers.
 */
final class PrometheusScrape {
  private static final Pattern NAME = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private PrometheusScrape() {}

  /** The metric names served on the ports of {@code range} ("from-to"). */
  static Set<String> names(String range) {
    String[] ends = range.split("-");
    Set<String> names = new TreeSet<>();
    for (int port = Integer.parseInt(ends[0]); port <= Integer.parseInt(ends[1]); port++) {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
          if (!line.startsWith("#") && !line.isBlank()) {
            int end = line.indexOf('{');
            names.add((end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end)));
          }
        }
      } catch (IOException e) {
        // nothing on this port
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return names;
  }

  /** The metric names the dashboard's panel expressions use. */
  static Set<String> dashboardNames(Path dashboard) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dashboard.toFile());
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : root.path("panels")) {
      assertThat(panel.path("title").asText()).as("panel title").isNotBlank();
      for (JsonNode target : panel.path("targets")) {
        Matcher m = NAME.matcher(target.path("expr").asText());
        while (m.find()) {
          names.add(m.group());
        }
      }
    }
    return names;
  }

  /**
   * Waits up to {@code patience} until every name the dashboard uses is served (some register only
   * once their operator has seen data), then asserts it.
   */
  static void dashboardNamesExposed(String range, Path dashboard, Duration patience)
      throws Exception {
    Set<String> wanted = dashboardNames(dashboard);
    assertThat(wanted).as("metric names in " + dashboard).hasSizeGreaterThan(10);
    long deadline = System.nanoTime() + patience.toNanos();
    Set<String> served = names(range);
    while (!served.containsAll(wanted) && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      served = names(range);
    }
    Set<String> missing = new TreeSet<>(wanted);
    missing.removeAll(served);
    assertThat(missing)
        .as("dashboard metric names the job does not expose (it exposes %s)", served)
        .isEmpty();
  }
}
