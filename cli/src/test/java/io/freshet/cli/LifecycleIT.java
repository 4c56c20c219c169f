package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.Labels;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.examples.payments.Payment;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.ArchiveSpec;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.OracleAsserts;
import io.freshet.testing.ParquetRows;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A feature store across runs, on real Kafka, Cassandra, Iceberg and a local Flink, with a spec of
 * two views unlike each other (the example's, and one with a 5-minute tile, min, stddev,
 * decayed_sum, first and a distinct count): a backfill of an archive (Avro files of the events
 * before a handover instant) and then of what the topic holds stops at its end offsets with a
 * savepoint; a live run resumes from it and reads only the events that came after (its Kafka
 * offsets come from the savepoint), the first of them hours behind the restored watermark (TOO_LATE
 * in each view, on the dead-letter topic, never applied); a third run resumes under a spec whose
 * first view has its features in another order. At the end, for every view and entity, Cassandra's
 * vector equals the newest history row and the naive oracle's recomputation from all accepted
 * events; the history holds each update once and its valid_from never goes back.
 */
@RealServices
class LifecycleIT {
  @Test
  @Timeout(600)
  void backfillThenLiveFromTheSavepointThenResumeUnderAReorderedSpec(TestServices services)
      throws Exception {
    Path example = Path.of("../examples/payments/payments.yaml");
    FeatureSpec parsed = SpecParser.parse(example, Files.readString(example) + SECOND_VIEW);
    assertThat(parsed.views()).hasSize(2);
    String topic = services.createTopic("lifecycle-payments", 2);
    services.createTopic("lifecycle-payments.dead-letters", 1);
    Instant start = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
    PaymentsGenerator generator =
        new PaymentsGenerator(
            // no late events: the training set is then checked against the oracle directly
            // (corrections across a restore: RestoreCarriesLateEventsTest, FreshetEndToEndIT)
            PaymentsGenerator.Settings.of(6_000, 150, 2, 17, start).withLateFractions(0, 0));
    List<PaymentsGenerator.Event> all = new ArrayList<>();
    generator.forEach(all::add);
    List<PaymentsGenerator.Event> backfill = all.subList(0, 3_600);
    List<PaymentsGenerator.Event> live = all.subList(3_600, 5_400);
    List<PaymentsGenerator.Event> later = all.subList(5_400, all.size());

    Path dir = Path.of("target", "lifecycle-" + UUID.randomUUID()).toAbsolutePath();
    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, "lifecycle");
    sets.put("freshet.kafka.group-id", "lifecycle-" + UUID.randomUUID());

    // 1. The backfill: the archive's files (the valid payments before the handover, in two Avro
    // files), then what the topic holds (the rest), then a savepoint.
    Instant handover = backfill.get(1_800).payment().getEventTime();
    List<PaymentsGenerator.Event> archived =
        backfill.stream()
            .filter(e -> e.valid() && e.payment().getEventTime().isBefore(handover))
            .toList();
    Path archive = dir.resolve("archive");
    writeAvro(archive.resolve("part-1.avro"), archived.subList(0, archived.size() / 2));
    writeAvro(
        archive.resolve("part-2.avro"), archived.subList(archived.size() / 2, archived.size()));
    FeatureSpec spec =
        parsed.withSource(
            parsed
                .source()
                .withTopic(topic)
                .withArchive(new ArchiveSpec(List.of(archive.toUri().toString()), handover, null)));
    Set<Integer> inArchive = new HashSet<>();
    archived.forEach(e -> inArchive.add(e.index()));
    publish(services, spec, backfill.stream().filter(e -> !inArchive.contains(e.index())).toList());
    FeatureJobRunner.Result first = run(services, spec, sets, null);
    assertThat(first.savepoint()).as("the backfill's savepoint").isNotNull();
    assertThat(first.counts().events())
        .as("events the backfill read from the archive and the topic")
        .isEqualTo(backfill.size());

    // 2. Live from the savepoint: only the events that came since are read. The first of them are
    // three hours behind the backfill's newest event, so behind the restored watermark by more than
    // the allowed lateness whatever the timing: TOO_LATE in every view, whichever order it sees
    // them in.
    List<PaymentsGenerator.Event> tooLate = tooLate(backfill, 20);
    publish(services, spec, tooLate);
    publish(services, spec, live);
    FeatureJobRunner.Result second = run(services, spec, sets, first.savepoint());
    assertThat(second.counts().events())
        .as("events the resumed run read: its offsets come from the savepoint")
        .isEqualTo(tooLate.size() + live.size());
    assertThat(second.counts().tooLate())
        .as("too-late events of the resumed run, one per view")
        .isEqualTo((long) tooLate.size() * spec.views().size());
    assertThat(second.savepoint()).isNotNull();
    List<String> expectedDead = new ArrayList<>();
    for (ViewSpec v : spec.views()) {
      for (PaymentsGenerator.Event e : tooLate) {
        expectedDead.add(
            e.payment().getCustomerId()
                + "@"
                + e.payment().getEventTime().toEpochMilli()
                + " "
                + v.name());
      }
    }
    assertThat(tooLateDeadLetters(services, spec))
        .as("TOO_LATE dead letters: entity@event time and view")
        .containsExactlyInAnyOrderElementsOf(expectedDead);

    // 3. The first view with its features in reverse order and the second with a feature added,
    // resumed from the live run's savepoint. The added feature warms up: null until its window
    // (and a tile) has passed after the restore, never a value of a shorter window.
    ViewSpec view = spec.views().get(0);
    List<FeatureDef> reversed = new ArrayList<>(view.features());
    Collections.reverse(reversed);
    ViewSpec spreadPlusOne =
        SpecParser.parse(example, Files.readString(example) + SECOND_VIEW + ADDED_FEATURE)
            .views()
            .get(1);
    FeatureSpec changed =
        new FeatureSpec(
            spec.file(),
            spec.source(),
            List.of(
                new ViewSpec(view.name(), view.ttl(), view.tile(), reversed, view.expectations()),
                spreadPlusOne));
    long restoredBy =
        all.subList(0, 5_400).stream()
            .filter(PaymentsGenerator.Event::valid)
            .mapToLong(e -> e.payment().getEventTime().toEpochMilli())
            .max()
            .orElseThrow();
    long warmedBy = restoredBy + Duration.ofMinutes(15 + 5).toMillis();
    Map<String, Long> warming = Map.of("customer_spread:txn_count_15m", warmedBy);
    publish(services, spec, later);
    FeatureJobRunner.Result third = run(services, changed, sets, second.savepoint());
    assertThat(third.counts().events()).isEqualTo(later.size());

    Catalog catalog = EndToEndChecks.catalog(dir);
    try {
      List<PaymentsGenerator.Event> everything = new ArrayList<>(all);
      everything.addAll(tooLate);
      EndToEndChecks.servingEqualsHistoryEqualsOracle(
          changed, everything, services, catalog, "lifecycle", warming);
      trainingSetEqualsOracle(changed, generator, everything, catalog, dir, warming);
      int rows = 0;
      for (ViewSpec v : changed.views()) {
        var history = EndToEndChecks.history(catalog, "lifecycle", v);
        for (var e : history.entrySet()) {
          Set<String> seen = new HashSet<>();
          for (EndToEndChecks.HistoryRow r : e.getValue()) {
            assertThat(seen.add(r.validFrom() + "/" + r.revision()))
                .as(
                    "history row of %s in %s at %s revision %s once",
                    e.getKey(), v.name(), r.validFrom(), r.revision())
                .isTrue();
          }
          rows += e.getValue().size();
        }
      }
      assertThat(rows)
          .as("history rows of the three runs")
          .isEqualTo(
              first.counts().updates() + second.counts().updates() + third.counts().updates());
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /**
   * A training set over the whole period (archive, topic, three runs) against the naive oracle:
   * every spine row gets, per requested feature, the recomputation from the entity's accepted
   * events strictly before the row's time (the input has no late events, so what the history knew
   * then is what the events say); an added feature is null, and its warming-up indicator true,
   * exactly where the row it reads was written before its warm-up ended (else the oracle's value).
   */
  private static void trainingSetEqualsOracle(
      FeatureSpec spec,
      PaymentsGenerator generator,
      List<PaymentsGenerator.Event> events,
      Catalog catalog,
      Path dir,
      Map<String, Long> warming)
      throws Exception {
    List<String> selected =
        List.of(
            "customer_risk:txn_count_1h",
            "customer_risk:amount_sum_24h",
            "customer_risk:last_country",
            "customer_spread:amount_min_1h",
            "customer_spread:first_merchant",
            "customer_spread:txn_count_15m");
    Path output =
        EndToEndChecks.labelsTrainingSet(spec, generator, catalog, dir, "lifecycle", selected);
    long rows = Labels.rows(generator).size();
    assertThat(rows).isGreaterThan(100);
    SourceFields fields = SourceFields.of(spec);
    Map<String, List<NaiveOracle.Event>> accepted = EndToEndChecks.acceptedEvents(events, fields);
    Map<String, ViewSpec> views = new HashMap<>();
    Map<String, Map<String, List<EndToEndChecks.HistoryRow>>> history = new HashMap<>();
    for (ViewSpec v : spec.views()) {
      views.put(v.name(), v);
      history.put(v.name(), EndToEndChecks.history(catalog, "lifecycle", v));
    }
    int checked = 0;
    int warmedValues = 0;
    int warmingValues = 0;
    for (GenericRecord r : ParquetRows.read(output)) {
      String entity = r.get("customer_id").toString();
      long ts = Instant.parse(r.get("timestamp").toString()).toEpochMilli();
      List<NaiveOracle.Event> before =
          accepted.getOrDefault(entity, List.of()).stream().filter(e -> e.ts() < ts).toList();
      for (String name : selected) {
        ViewSpec v = views.get(name.substring(0, name.indexOf(':')));
        String feature = name.substring(name.indexOf(':') + 1);
        int i = v.indexOf(feature);
        Object expected =
            before.isEmpty() ? null : new NaiveOracle(v, fields).vector(before, ts - 1)[i];
        Object actual = r.get(feature);
        actual = actual instanceof CharSequence c ? c.toString() : actual;
        Long warmedBy = warming.get(name);
        if (warmedBy != null) {
          // the indicator says whether a null is the warm-up's; otherwise the oracle's value
          String indicator = feature + "__warming_up";
          assertThat(r.getSchema().getField(indicator)).as("column " + indicator).isNotNull();
          if (Boolean.TRUE.equals(r.get(indicator))) {
            EndToEndChecks.HistoryRow asOf =
                EndToEndChecks.newest(
                    history.get(v.name()).getOrDefault(entity, List.of()).stream()
                        .filter(h -> h.validFrom() < ts)
                        .toList());
            assertThat(actual).as("%s of %s before %s while warming up", name, entity, ts).isNull();
            assertThat(asOf != null && asOf.validFrom() < warmedBy)
                .as("%s of %s before %s warms up only until %s", name, entity, ts, warmedBy)
                .isTrue();
            warmingValues++;
            continue;
          }
          warmedValues += actual == null ? 0 : 1;
        }
        OracleAsserts.assertSame(name + " of " + entity + " before " + ts, actual, expected);
      }
      checked++;
    }
    assertThat(checked).isEqualTo(rows);
    assertThat(warmedValues).as("rows with the added feature warmed up").isPositive();
    assertThat(warmingValues).as("rows with the added feature warming up").isPositive();
  }

  /** A second view unlike the example's: its own tile and ttl, and kinds the example lacks. */
  private static final String SECOND_VIEW =
      """
        - name: customer_spread
          ttl: 3d
          tile: 5m
          features:
            - {name: amount_min_1h, agg: min, field: amount, window: 1h}
            - {name: amount_stddev_24h, agg: stddev, field: amount, window: 24h}
            - {name: amount_decayed_6h, agg: decayed_sum, field: amount, half_life: 6h}
            - {name: first_merchant, agg: first, field: merchant_id}
            - {name: countries_24h, agg: approx_count_distinct, field: country, window: 24h}
            - {name: txn_count_30m, agg: count, window: 30m}
      """;

  /** The feature the third run adds to the second view (a line of its features). */
  private static final String ADDED_FEATURE =
      "      - {name: txn_count_15m, agg: count, window: 15m}\n";

  /**
   * {@code n} payments of the backfill's customers, each three hours (plus a minute per index)
   * before the backfill's newest event time: far behind the watermark that the backfill's savepoint
   * restores.
   */
  private static List<PaymentsGenerator.Event> tooLate(
      List<PaymentsGenerator.Event> backfill, int n) {
    List<PaymentsGenerator.Event> valid =
        backfill.stream().filter(PaymentsGenerator.Event::valid).toList();
    long newest =
        valid.stream()
            .mapToLong(e -> e.payment().getEventTime().toEpochMilli())
            .max()
            .orElseThrow();
    List<PaymentsGenerator.Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PaymentsGenerator.Event like = valid.get(valid.size() - 1 - i * 37);
      long at = newest - Duration.ofHours(3).toMillis() - Duration.ofMinutes(i).toMillis();
      Payment p =
          Payment.newBuilder(like.payment())
              .setPaymentId("too-late-" + i)
              .setEventTime(Instant.ofEpochMilli(at))
              .build();
      out.add(
          new PaymentsGenerator.Event(
              -1 - i, PaymentsGenerator.Kind.PAYMENT, p, newest - at, false));
    }
    assertThat(out).allMatch(PaymentsGenerator.Event::tooLate);
    return out;
  }

  /** The TOO_LATE dead letters of the spec's source, as "entity@event time view". */
  private static List<String> tooLateDeadLetters(TestServices services, FeatureSpec spec)
      throws Exception {
    SpecificDatumReader<DeadLetter> reader = new SpecificDatumReader<>(DeadLetter.class);
    List<String> out = new ArrayList<>();
    for (var r : services.readTopic(spec.source().deadLetterTopic())) {
      DeadLetter d = reader.read(null, DecoderFactory.get().binaryDecoder(r.value(), null));
      if (d.getReasonCode().toString().equals("TOO_LATE")) {
        // a late event's dead letter carries its event time where a record's Kafka timestamp goes
        String entity = StandardCharsets.UTF_8.decode(d.getKey()).toString();
        String reason = d.getReason().toString();
        String view = reason.substring(reason.lastIndexOf(' ') + 1);
        out.add(entity + "@" + d.getKafkaTimestamp() + " " + view);
      }
    }
    return out;
  }

  private static void writeAvro(Path file, List<PaymentsGenerator.Event> events)
      throws IOException {
    Files.createDirectories(file.getParent());
    try (DataFileWriter<Payment> out =
        new DataFileWriter<>(new SpecificDatumWriter<>(Payment.class))) {
      out.create(Payment.getClassSchema(), file.toFile());
      for (PaymentsGenerator.Event e : events) {
        out.append(e.payment());
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
