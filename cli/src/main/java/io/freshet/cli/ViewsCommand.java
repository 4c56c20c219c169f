package io.freshet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.freshet.serving.DeployedViews;
import io.freshet.serving.FeatureClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code freshet views list} and {@code freshet views describe VIEW}: feature discovery from what
 * the feature jobs deployed (the keyspace's {@code freshet_views} table, {@link DeployedViews}),
 * not from a local spec file.
 */
@Command(
    name = "views",
    mixinStandardHelpOptions = true,
    description =
        "Find the features that exist: the views the feature jobs deployed to the online store,"
            + " with their features, types, windows, ttl, spec version, description, owner and"
            + " tags.",
    subcommands = {ViewsCommand.ListViews.class, ViewsCommand.Describe.class})
public final class ViewsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A view as JSON: durations as spec durations ("30d"), times as ISO-8601. */
  static java.util.Map<String, Object> json(DeployedViews.View v) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("name", v.name());
    m.put("source", v.source());
    m.put("ttl", io.freshet.spec.Durations.format(v.ttl()));
    m.put("spec_version", v.specVersion());
    m.put("updated_at", v.updatedAt() == null ? null : v.updatedAt().toString());
    m.put("description", v.description());
    m.put("owner", v.owner());
    m.put("tags", v.tags());
    List<java.util.Map<String, Object>> features = new java.util.ArrayList<>();
    for (DeployedViews.Feature f : v.features()) {
      java.util.Map<String, Object> fm = new java.util.LinkedHashMap<>();
      fm.put("name", f.name());
      fm.put("type", f.type().name());
      fm.put("definition", f.definition());
      fm.put("description", f.description());
      fm.put("owner", f.owner());
      fm.put("tags", f.tags());
      features.add(fm);
    }
    m.put("features", features);
    java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
    v.requestFields().forEach((n, t) -> fields.put(n, t.name()));
    m.put("request_fields", fields);
    return m;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the deployed views: name, source, features, ttl, owner, tags.",
      footer = {"", "Example:", "  freshet views list", "  freshet views list --json"})
  static final class ListViews implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CassandraClientOptions cassandra;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      List<DeployedViews.View> views;
      try (FeatureClient client =
          cassandra.client().requestTimeout(Duration.ofSeconds(10)).build()) {
        views = DeployedViews.list(client.session(), cassandra.keyspace);
      }
      if (json) {
        out.println(JSON.writeValueAsString(views.stream().map(ViewsCommand::json).toList()));
      } else if (views.isEmpty()) {
        out.println("no views in keyspace " + cassandra.keyspace + ": has a feature job run?");
      } else {
        String fmt = "%-24s %-14s %8s  %-8s %-24s %s%n";
        out.printf(Locale.ROOT, fmt, "view", "source", "features", "ttl", "owner", "tags");
        for (DeployedViews.View v : views) {
          out.printf(
              Locale.ROOT,
              fmt,
              v.name(),
              v.source(),
              v.features().size(),
              io.freshet.spec.Durations.format(v.ttl()),
              v.owner() == null ? "-" : v.owner(),
              String.join(",", v.tags()));
          if (v.description() != null) {
            out.println("    " + v.description());
          }
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "describe",
      mixinStandardHelpOptions = true,
      description = "Describe a deployed view: each feature's type, definition and docs.",
      footer = {"", "Example:", "  freshet views describe customer_risk --json"})
  static final class Describe implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "VIEW", description = "The view.")
    String view;

    @Mixin CassandraClientOptions cassandra;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      DeployedViews.View v;
      List<DeployedViews.View> all;
      try (FeatureClient client =
          cassandra.client().requestTimeout(Duration.ofSeconds(10)).build()) {
        v = DeployedViews.describe(client.session(), cassandra.keyspace, view).orElse(null);
        all = v == null ? DeployedViews.list(client.session(), cassandra.keyspace) : List.of();
      }
      if (v == null) {
        throw new CliException(
            "no view '"
                + view
                + "' in keyspace "
                + cassandra.keyspace
                + " (views: "
                + all.stream().map(DeployedViews.View::name).toList()
                + ")");
      }
      if (json) {
        out.println(JSON.writeValueAsString(json(v)));
        out.flush();
        return 0;
      }
      out.println("view:         " + v.name());
      out.println("source:       " + v.source());
      if (v.description() != null) {
        out.println("description:  " + v.description());
      }
      out.println("owner:        " + (v.owner() == null ? "-" : v.owner()));
      out.println("tags:         " + String.join(", ", v.tags()));
      out.println("ttl:          " + io.freshet.spec.Durations.format(v.ttl()));
      out.println("spec version: " + v.specVersion() + " (deployed " + v.updatedAt() + ")");
      if (!v.requestFields().isEmpty()) {
        List<String> fields = new java.util.ArrayList<>();
        v.requestFields()
            .forEach((n, t) -> fields.add(n + " " + t.name().toLowerCase(Locale.ROOT)));
        out.println("request:      " + String.join(", ", fields));
      }
      String fmt = "  %-22s %-8s %-44s %s%n";
      out.printf(Locale.ROOT, fmt, "feature", "type", "definition", "description");
      for (DeployedViews.Feature f : v.features()) {
        out.printf(
            Locale.ROOT,
            fmt,
            f.name(),
            f.type().name().toLowerCase(Locale.ROOT),
            f.definition() == null ? "-" : f.definition(),
            (f.description() == null ? "" : f.description())
                + (f.tags().isEmpty() ? "" : " [" + String.join(", ", f.tags()) + "]")
                + (f.owner() == null ? "" : " (owner " + f.owner() + ")"));
      }
      out.flush();
      return 0;
    }
  }
}
