package io.freshet.cli;

import io.freshet.serving.FeatureClient;
import io.freshet.spec.Durations;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet check-consistency}: online/offline agreement, view by view ({@link
 * ConsistencyCheck}). Exit 0 when no entity disagrees past the grace period, 1 otherwise, so that
 * it can run on a schedule.
 */
@Command(
    name = "check-consistency",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compare every entity's online vector (Cassandra) with its newest history row (Iceberg): the"
          + " same version with the same values agrees. Rows still in flight (the online store is"
          + " written at once, the history on each checkpoint) count as problems only once older"
          + " than --grace; expired vectors are left out. Some entities (--recompute) are also"
          + " recomputed from the source topic's events, where the topic still holds them, and"
          + " both stores compared with that. Prints a summary per view and the first problems;"
          + " exits 1 if there are any."
    },
    footer = {
      "",
      "Examples:",
      "  freshet check-consistency --spec examples/payments/payments.yaml",
      "  freshet check-consistency --spec examples/payments/payments.yaml --view customer_risk"
          + " --grace 10m --examples 50"
    })
public final class CheckConsistencyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      description = "Check only this view (repeatable; default: every view of the spec).")
  List<String> views = new ArrayList<>();

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description =
          "How long the stores may differ while an update is in flight (default: ${DEFAULT-VALUE}).")
  String grace;

  @Option(
      names = "--examples",
      paramLabel = "N",
      defaultValue = "10",
      description = "Problems printed per view (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(
      names = "--sample",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Check N entities per view (the same pseudo-random choice every time; default: all).")
  int sample;

  @Option(
      names = "--recompute",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "Also recompute N of the checked entities' vectors from the source topic's events (the"
              + " first of the same pseudo-random choice) and compare both stores with them; 0"
              + " does not read the topic (default: ${DEFAULT-VALUE}).")
  int recompute;

  @Mixin CassandraClientOptions cassandra;

  @Mixin KafkaClientOptions kafka;

  @Mixin CatalogOptions catalogOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    Duration graceTime = Durations.parse(grace);
    List<ViewSpec> selected = SpecViews.chosen(featureSpec, specFile, views);
    Map<String, String> props = catalogOptions.properties();
    Catalog catalog = HistoryCatalogs.load(catalogOptions.catalogName, props);
    long problems = 0;
    try (FeatureClient client = cassandra.client().requestTimeout(Duration.ofSeconds(30)).build()) {
      for (ViewSpec view : selected) {
        TableIdentifier id = HistoryTables.identifier(catalogOptions.namespace, view.name());
        if (!catalog.tableExists(id)) {
          throw new CliException(
              "no history table "
                  + id
                  + " in catalog '"
                  + catalogOptions.catalogName
                  + "': has the feature job run with this spec, on this catalog?");
        }
        ConsistencyCheck.Report r =
            ConsistencyCheck.check(
                view,
                catalog.loadTable(id),
                client.session(),
                cassandra.keyspace,
                System.currentTimeMillis(),
                graceTime,
                examples,
                sample,
                recompute,
                entities ->
                    Recomputation.read(
                        featureSpec, entities, kafka.bootstrapServers(), kafka.clientSettings()));
        print(out, r);
        problems += r.problems();
      }
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
    out.println(
        problems == 0
            ? "consistent: every online vector is its newest history row (or in flight)"
            : problems + " entities disagree past the grace period");
    out.flush();
    return problems == 0 ? 0 : 1;
  }

  private static void print(PrintWriter out, ConsistencyCheck.Report r) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                java.util.Locale.ROOT,
                "%s: %,d entities, %,d agree",
                r.view(),
                r.entities(),
                r.agreeing()));
    r.counts()
        .forEach(
            (kind, n) ->
                line.append(String.format(java.util.Locale.ROOT, ", %,d %s", n, label(kind))));
    out.println(line);
    ConsistencyCheck.Recomputed rc = r.recomputed();
    if (rc.chosen() > 0) {
      StringBuilder re =
          new StringBuilder(
              String.format(
                  java.util.Locale.ROOT,
                  "  recomputed from the source events: %,d of %,d chosen agree",
                  rc.agreeing(),
                  rc.chosen()));
      if (rc.unavailable() != null) {
        re.append("; none recomputed: ").append(rc.unavailable());
      } else {
        rc.notRecomputable()
            .forEach(
                (why, n) ->
                    re.append(String.format(java.util.Locale.ROOT, "; %,d left out: %s", n, why)));
      }
      out.println(re);
    }
    for (ConsistencyCheck.Finding f : r.examples()) {
      out.println("  " + label(f.kind()) + " " + f.entity() + ": " + f.detail());
    }
  }

  private static String label(ConsistencyCheck.Kind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
