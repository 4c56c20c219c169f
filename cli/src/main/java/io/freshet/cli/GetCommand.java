package io.freshet.cli;

import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureValue;
import io.freshet.serving.FeatureVector;
import io.freshet.serving.ViewMetadata;
import io.freshet.spec.RequestFeatures;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code freshet get --view V --entity E}: one entity's current vector, with statuses and ages. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description =
        "Print an entity's current feature vector from the online store (Cassandra): each"
            + " feature's value, status (PRESENT, EXPIRED, MISSING) and age.",
    footer = {
      "",
      "Examples:",
      "  freshet get --view customer_risk --entity c42",
      "  freshet get --view customer_risk --entity c42 --request amount=120.5 --request country=DE"
    })
public final class GetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--view", required = true, paramLabel = "VIEW", description = "View name.")
  String view;

  @Option(
      names = "--entity",
      required = true,
      paramLabel = "ENTITY",
      description = "Entity id (any characters; quote it for the shell).")
  String entity;

  @Option(
      names = "--request",
      paramLabel = "FIELD=VALUE",
      description =
          "A request field of the view's request-time features, e.g. --request amount=120.5"
              + " (repeatable); the value is read as the field's declared type.")
  Map<String, String> request = new LinkedHashMap<>();

  @Mixin CassandraClientOptions cassandra;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (FeatureClient client = cassandra.client().requestTimeout(Duration.ofSeconds(5)).build()) {
      print(out, client.get(view, entity, requestValues(client.viewMetadata(view))));
    }
    out.flush();
    return 0;
  }

  /** The --request values read as their fields' types. */
  private Map<String, Object> requestValues(ViewMetadata meta) {
    try {
      return RequestFeatures.parseRequestValues(view, meta.requestFields(), request);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--request: " + e.getMessage());
    }
  }

  static void print(PrintWriter out, FeatureVector v) {
    out.println("view:   " + v.view());
    out.println("entity: " + v.entity());
    if (!v.found()) {
      out.println("status: MISSING (no row for this entity: never seen, or expired and dropped)");
    } else {
      out.println(
          "status: "
              + v.status()
              + "   last event "
              + Instant.ofEpochMilli(v.lastEventTime())
              + " ("
              + age(v.age())
              + " ago)   valid from "
              + Instant.ofEpochMilli(v.validFrom())
              + "   revision "
              + v.revision()
              + "   written "
              + v.writtenAt()
              + "   spec "
              + v.specVersion());
    }
    int width = "feature".length();
    for (FeatureValue f : v.features()) {
      width = Math.max(width, f.name().length());
    }
    String fmt = "%-" + width + "s  %-8s  %-8s  %-10s  %s%n";
    out.printf(fmt, "feature", "type", "status", "age", "value");
    for (FeatureValue f : v.features()) {
      out.printf(
          fmt,
          f.name(),
          f.type().name().toLowerCase(java.util.Locale.ROOT),
          f.status(),
          f.age() == null ? "-" : age(f.age()),
          f.value() == null ? "-" : String.valueOf(f.value()));
    }
  }

  /** 3d4h, 2h5m, 4m10s, 12.345s. */
  static String age(Duration d) {
    if (d.isNegative()) {
      return "-" + age(d.negated());
    }
    long s = d.toSeconds();
    if (s >= 86_400) {
      return (s / 86_400) + "d" + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return (s / 3600) + "h" + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return String.format(java.util.Locale.ROOT, "%.3fs", d.toMillis() / 1000.0);
  }
}
