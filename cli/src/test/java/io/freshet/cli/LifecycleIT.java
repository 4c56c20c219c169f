package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A feature store across runs, on real Kafka, Cassandra, Iceberg and a local Flink: a backfill of
 * what the topic holds stops at its end offsets with a savepoint; a live run resumes from it and
 * reads only the events that came after (its Kafka offsets come from the savepoint); a third run
 * resumes under a spec whose features are in another order. At the end, for every entity,
 * Cassandra's vector equals the newest history row and the naive oracle's recomputation from all
 * events; the history holds each update once and its valid_from never goes back.
 */
@RealServices
class LifecycleIT {
  @Test
  @Timeout(600)
  void backfillThenLiveFromTheSavepointThenResumeUnderAReorderedSpec(TestServices services)
      throws Exception {
    FeatureSpec parsed = SpecParser.parse(Path.of("../examples/payments/payments.yaml"));
    FeatureSpec spec =
        FreshetEndToEndIT.onTopic(parsed, services.createTopic("lifecycle-payments", 2));
    services.createTopic("lifecycle-payments.dead-letters", 1);
    Instant start = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(6_000, 150, 2, 17, start).withLateFractions(0.01, 0));
    List<PaymentsGenerator.Event> all = new ArrayList<>();
    generator.forEach(all::add);
    List<PaymentsGenerator.Event> backfill = all.subList(0, 3_600);
    List<PaymentsGenerator.Event> live = all.subList(3_600, 5_400);
    List<PaymentsGenerator.Event> later = all.subList(5_400, all.size());

    Path dir = Path.of("target", "lifecycle-" + UUID.randomUUID()).toAbsolutePath();
    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, "lifecycle");
    sets.put("freshet.kafka.group-id", "lifecycle-" + UUID.randomUUID());

    // 1. The backfill: what the topic holds now, then a savepoint.
    publish(services, spec, backfill);
    FeatureJobRunner.Result first = run(services, spec, sets, null);
    assertThat(first.savepoint()).as("the backfill's savepoint").isNotNull();
    assertThat(first.counts().events()).as("events the backfill read").isEqualTo(backfill.size());

    // 2. Live from the savepoint: only the events that came since are read.
    publish(services, spec, live);
    FeatureJobRunner.Result second = run(services, spec, sets, first.savepoint());
    assertThat(second.counts().events())
        .as("events the resumed run read: its offsets come from the savepoint")
        .isEqualTo(live.size());
    assertThat(second.savepoint()).isNotNull();

    // 3. The same view with its features in reverse order, resumed from the live run's savepoint.
    ViewSpec view = spec.views().get(0);
    List<FeatureDef> reversed = new ArrayList<>(view.features());
    Collections.reverse(reversed);
    FeatureSpec reordered =
        new FeatureSpec(
            spec.file(),
            spec.source(),
            List.of(
                new ViewSpec(view.name(), view.ttl(), view.tile(), reversed, view.expectations())));
    publish(services, spec, later);
    FeatureJobRunner.Result third = run(services, reordered, sets, second.savepoint());
    assertThat(third.counts().events()).isEqualTo(later.size());

    Map<String, String> props = new HashMap<>();
    props.put("uri", "jdbc:sqlite:" + dir.resolve("catalog.db"));
    props.put("warehouse", dir.resolve("warehouse").toUri().toString());
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(props, dir));
    try {
      EndToEndChecks.servingEqualsHistoryEqualsOracle(
          reordered, generator, services, catalog, "lifecycle");
      var history = EndToEndChecks.history(catalog, "lifecycle", reordered.views().get(0));
      for (var e : history.entrySet()) {
        Set<String> seen = new HashSet<>();
        for (EndToEndChecks.HistoryRow r : e.getValue()) {
          assertThat(seen.add(r.validFrom() + "/" + r.revision()))
              .as(
                  "history row of %s at %s revision %s once",
                  e.getKey(), r.validFrom(), r.revision())
              .isTrue();
        }
      }
      assertThat(history.values().stream().mapToInt(List::size).sum())
          .as("history rows of the three runs")
          .isEqualTo(
              first.counts().updates() + second.counts().updates() + third.counts().updates());
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private static void publish(
      TestServices services, FeatureSpec spec, List<PaymentsGenerator.Event> events) {
    try (KafkaPublisher out =
        new KafkaPublisher(services.kafkaBootstrapServers(), spec.source().topic(), 0)) {
      KafkaPublisher.publish(events, out, n -> {});
    }
  }

  private static FeatureJobRunner.Result run(
      TestServices services, FeatureSpec spec, Map<String, String> sets, String savepoint)
      throws Exception {
    Map<String, String> settings = new LinkedHashMap<>(sets);
    if (savepoint != null) {
      settings.put("execution.state-recovery.path", savepoint);
    } else {
      settings.put("freshet.kafka.starting-offsets", "earliest");
    }
    Configuration conf = FeatureJobRunner.localConfiguration(Path.of("../flink-conf"), settings);
    UntilEnd end =
        UntilEnd.take(
            services.kafkaBootstrapServers(),
            spec.source().topic(),
            settings.get("freshet.kafka.group-id"),
            savepoint != null ? UntilEnd.Start.RESTORED : UntilEnd.Start.EARLIEST);
    StringWriter progress = new StringWriter();
    FeatureJobRunner.Result r =
        FeatureJobRunner.runLocal(spec, conf, new PrintWriter(progress), false, end, id -> {});
    assertThat(r.last().restarts()).as("restarts of the run: %s", progress).isZero();
    return r;
  }
}
