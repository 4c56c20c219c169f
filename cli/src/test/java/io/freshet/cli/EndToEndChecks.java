package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.Labels;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.services.FlinkRest;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.OracleAsserts;
import io.freshet.testing.ParquetRows;
import io.freshet.testing.TestServices;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;

/**
 * The end-to-end assertions shared by the local and the cluster test: for every entity, the vector
 * Cassandra serves equals the newest Iceberg history row (greatest valid_from, then revision), and
 * both equal the naive oracle's recomputation from the accepted generated events at that
 * valid_from.
 */
final class EndToEndChecks {
  private EndToEndChecks() {}

  /** One history row: valid_from, revision, last_event_time and the feature values. */
  record HistoryRow(long validFrom, int revision, long lastEventTime, List<Object> values) {}

  /**
   * The settings of a test job on the test's Kafka and Cassandra, checkpointing every second; with
   * {@code dir}, its own Iceberg catalog, checkpoints and savepoints under it (null: the defaults).
   */
  static Map<String, String> jobSettings(
      TestServices services, java.nio.file.Path dir, String namespace) {
    Map<String, String> sets = new java.util.LinkedHashMap<>();
    sets.put("freshet.kafka.bootstrap-servers", services.kafkaBootstrapServers());
    sets.put(
        "freshet.cassandra.contact-points",
        services.cassandraContactPoint().getHostString()
            + ":"
            + services.cassandraContactPoint().getPort());
    sets.put("freshet.cassandra.keyspace", services.keyspace());
    sets.put("freshet.iceberg.namespace", namespace);
    sets.put("execution.checkpointing.interval", "1s");
    if (dir != null) {
      sets.put("freshet.iceberg.uri", "jdbc:sqlite:" + dir.resolve("catalog.db"));
      sets.put("freshet.iceberg.warehouse", dir.resolve("warehouse").toUri().toString());
      sets.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
      sets.put(
          "execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
    }
    return sets;
  }

  /**
   * Runs the job of {@code spec} with {@code sets} on a local MiniCluster from the topic's start
   * (the settings' Kafka, else the test's; group {@code freshet.kafka.group-id} of the settings)
   * until the offsets the topic ends at now, then stops it with a savepoint; fails the test if the
   * job restarted.
   */
  static FeatureJobRunner.Result runToEnd(
      TestServices services, FeatureSpec spec, Map<String, String> sets) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>(sets);
    settings.put("freshet.kafka.starting-offsets", "earliest");
    StringWriter progress = new StringWriter();
    FeatureJobRunner.Result r =
        FeatureJobRunner.runLocal(
            spec,
            FeatureJobRunner.localConfiguration(java.nio.file.Path.of("../flink-conf"), settings),
            new PrintWriter(progress),
            false,
            UntilEnd.take(
                settings.getOrDefault(
                    "freshet.kafka.bootstrap-servers", services.kafkaBootstrapServers()),
                spec.source().topic(),
                settings.get("freshet.kafka.group-id"),
                UntilEnd.Start.EARLIEST),
            id -> {});
    assertThat(r.last().restarts()).as("restarts of the run: %s", progress).isZero();
    return r;
  }

  /**
   * Follows a job submitted to a session cluster until its source has read the topic up to {@code
   * end}, then stops it with a savepoint under {@code savepoints}.
   */
  static FeatureJobRunner.Result followToEnd(
      FlinkRest rest, String jobId, UntilEnd end, java.nio.file.Path savepoints) throws Exception {
    return followToEnd(rest, jobId, end, savepoints.toUri().toString());
  }

  /** As above, with the savepoint directory given as a URI (e.g. {@code s3://bucket/path}). */
  static FeatureJobRunner.Result followToEnd(
      FlinkRest rest, String jobId, UntilEnd end, String savepoints) throws Exception {
    return FeatureJobRunner.follow(
        rest, jobId, new PrintWriter(new StringWriter()), false, end, savepoints);
  }

  /**
   * The pages of Flink's web UI and REST API that show a local run's configuration and job graph
   * must not show {@code secret}: fails if any page shows it, and returns the "page key" pairs of
   * entries whose key contains {@code maskedKeyPart} (shown masked, if the secret was in them).
   */
  static List<String> secretsHidden(
      org.apache.flink.configuration.Configuration conf,
      String jobId,
      String secret,
      String maskedKeyPart) {
    List<String> masked = new ArrayList<>();
    io.freshet.services.FlinkRest rest =
        new io.freshet.services.FlinkRest(FeatureJobRunner.localRestAddress(conf));
    for (String page :
        List.of(
            "/jobmanager/config",
            "/jobs/" + jobId + "/jobmanager/config",
            "/jobs/" + jobId + "/config",
            "/jobs/" + jobId + "/plan")) {
      com.fasterxml.jackson.databind.JsonNode body;
      try {
        body = rest.get(page);
      } catch (java.io.IOException e) {
        throw new AssertionError("GET " + page + ": " + e, e);
      }
      assertThat(body.toString()).as("GET %s", page).doesNotContain(secret);
      if (body.isArray()) {
        for (com.fasterxml.jackson.databind.JsonNode entry : body) {
          String key = entry.path("key").asText();
          if (key.contains(maskedKeyPart)) {
            masked.add(page + " " + key);
          }
        }
      }
    }
    return masked;
  }

  /** The Iceberg catalog of a test job run with {@link #jobSettings}'s {@code dir}. */
  static Catalog catalog(java.nio.file.Path dir) {
    Map<String, String> props = new HashMap<>();
    props.put("uri", "jdbc:sqlite:" + dir.resolve("catalog.db"));
    props.put("warehouse", dir.resolve("warehouse").toUri().toString());
    return HistoryCatalogs.load("freshet", HistoryCatalogs.complete(props, dir));
  }

  /**
   * Builds the training set of the generator's labels spine ({@code dir/labels.csv}, entity column
   * customer_id, timestamp column timestamp) into {@code dir/train.parquet}, checks that it has a
   * row per spine row, and returns the output file.
   */
  static java.nio.file.Path labelsTrainingSet(
      FeatureSpec spec,
      PaymentsGenerator generator,
      Catalog catalog,
      java.nio.file.Path dir,
      String namespace,
      List<String> selected)
      throws Exception {
    java.nio.file.Path spine = dir.resolve("labels.csv");
    long rows = Labels.write(generator, spine);
    java.nio.file.Path output = dir.resolve("train.parquet");
    Manifest m =
        TrainingSet.builder()
            .spec(spec)
            .spine(spine)
            .entityColumn("customer_id")
            .timestampColumn("timestamp")
            .namespace(namespace)
            .select(selected.toArray(String[]::new))
            .catalog(catalog, "freshet")
            .output(output)
            .build()
            .run();
    assertThat(m.spineRows()).as("spine rows of the training set").isEqualTo(rows).isPositive();
    assertThat(java.nio.file.Files.exists(dir.resolve("train.manifest.json"))).isTrue();
    return output;
  }

  /**
   * Every row of a training set built from the generator's labels spine ({@link Labels}; entity
   * column customer_id, timestamp column timestamp) holds, for each selected feature of the view,
   * the oracle's value from the entity's accepted events strictly before the row's timestamp; the
   * file has {@code rows} rows. For input without too-late events.
   */
  static void trainingSetEqualsOracle(
      FeatureSpec spec,
      ViewSpec view,
      Iterable<PaymentsGenerator.Event> generated,
      java.nio.file.Path output,
      List<String> selected,
      long rows)
      throws Exception {
    SourceFields fields = SourceFields.of(spec);
    Map<String, List<NaiveOracle.Event>> accepted = acceptedEvents(generated, fields);
    long checked = 0;
    for (GenericRecord row : ParquetRows.read(output)) {
      String entity = row.get("customer_id").toString();
      long ts = Instant.parse(row.get("timestamp").toString()).toEpochMilli();
      List<NaiveOracle.Event> before =
          accepted.getOrDefault(entity, List.of()).stream().filter(e -> e.ts() < ts).toList();
      Object[] expected =
          before.isEmpty() ? null : new NaiveOracle(view, fields).vector(before, ts - 1);
      for (String f : selected) {
        Object actual = row.get(f);
        OracleAsserts.assertSame(
            f + " of " + entity + " before " + ts,
            actual instanceof CharSequence c ? c.toString() : actual,
            expected == null ? null : expected[view.indexOf(f)]);
      }
      checked++;
    }
    assertThat(checked).as("training set rows").isEqualTo(rows).isPositive();
  }

  /**
   * {@code freshet training-set} of the generator's labels spine ({@code dir/labels.csv}) for three
   * features of the view, with the catalog {@code catalogArgs} name, into {@code
   * dir/train.parquet}: it exits 0 and its rows equal the oracle ({@link
   * #trainingSetEqualsOracle}).
   */
  static void cliTrainingSetEqualsOracle(
      FeatureSpec spec,
      java.nio.file.Path specFile,
      ViewSpec view,
      PaymentsGenerator generator,
      java.nio.file.Path dir,
      List<String> catalogArgs)
      throws Exception {
    java.nio.file.Path spine = dir.resolve("labels.csv");
    long rows = Labels.write(generator, spine);
    cliTrainingSetEqualsOracle(
        spec, specFile, view, generator, spine, rows, dir.resolve("train.parquet"), catalogArgs);
  }

  /**
   * {@code freshet training-set} of {@code spine} (entity column customer_id, timestamp column
   * timestamp, {@code rows} rows) for three features of the view, with the catalog {@code
   * catalogArgs} name, into {@code output}: it exits 0 and its rows equal the oracle of {@code
   * events}.
   */
  static void cliTrainingSetEqualsOracle(
      FeatureSpec spec,
      java.nio.file.Path specFile,
      ViewSpec view,
      Iterable<PaymentsGenerator.Event> events,
      java.nio.file.Path spine,
      long rows,
      java.nio.file.Path output,
      List<String> catalogArgs)
      throws Exception {
    List<String> selected = List.of("txn_count_1h", "amount_sum_24h", "last_country");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--verbose",
                "training-set",
                "--spec",
                specFile.toString(),
                "--spine",
                spine.toString(),
                "--entity-column",
                "customer_id",
                "--timestamp-column",
                "timestamp",
                "-f",
                String.join(",", selected.stream().map(f -> view.name() + ":" + f).toList()),
                "-o",
                output.toString()));
    args.addAll(catalogArgs);
    CliRunner cli = new CliRunner();
    assertThat(cli.run(args.toArray(String[]::new)))
        .as("freshet training-set: %s", cli.err())
        .isZero();
    trainingSetEqualsOracle(spec, view, events, output, selected, rows);
  }

  /**
   * 3,000 payments of 60 customers over the last day, none late: a training set of them is checked
   * against the oracle directly ({@link #trainingSetEqualsOracle}).
   */
  static PaymentsGenerator dayWithoutLateEvents(long seed) {
    return new PaymentsGenerator(
        PaymentsGenerator.Settings.of(
                3_000,
                60,
                1,
                seed,
                Instant.now()
                    .minus(Duration.ofDays(1))
                    .truncatedTo(java.time.temporal.ChronoUnit.HOURS))
            .withLateFractions(0, 0));
  }

  /** The accepted events per customer: valid payments that are not too late. */
  static Map<String, List<NaiveOracle.Event>> acceptedEvents(
      Iterable<PaymentsGenerator.Event> generated, SourceFields fields) {
    Map<String, List<NaiveOracle.Event>> out = new HashMap<>();
    for (PaymentsGenerator.Event e : generated) {
      if (!e.valid() || e.tooLate()) {
        continue;
      }
      List<Object> values = new ArrayList<>();
      for (String f : fields.names()) {
        Object v = e.payment().get(f);
        values.add(v instanceof CharSequence c ? c.toString() : v);
      }
      out.computeIfAbsent(e.payment().getCustomerId(), k -> new ArrayList<>())
          .add(new NaiveOracle.Event(e.payment().getEventTime().toEpochMilli(), values));
    }
    return out;
  }

  /** Every history row of the view's table, per entity. */
  static Map<String, List<HistoryRow>> history(Catalog catalog, String namespace, ViewSpec view)
      throws Exception {
    Table table = catalog.loadTable(HistoryTables.identifier(namespace, view.name()));
    Map<String, List<HistoryRow>> out = new HashMap<>();
    for (Record r : HistoryRows.read(table)) {
      List<Object> values = new ArrayList<>();
      for (var f : view.features()) {
        values.add(r.getField(f.name()));
      }
      out.computeIfAbsent((String) r.getField(StoreColumn.ENTITY.column()), k -> new ArrayList<>())
          .add(
              new HistoryRow(
                  millis(r.getField(StoreColumn.VALID_FROM.column())),
                  (Integer) r.getField(StoreColumn.REVISION.column()),
                  millis(r.getField(StoreColumn.LAST_EVENT_TIME.column())),
                  values));
    }
    return out;
  }

  static HistoryRow newest(List<HistoryRow> rows) {
    HistoryRow best = null;
    for (HistoryRow r : rows) {
      if (best == null
          || r.validFrom() > best.validFrom()
          || (r.validFrom() == best.validFrom() && r.revision() > best.revision())) {
        best = r;
      }
    }
    return best;
  }

  private static long millis(Object ts) {
    return ((OffsetDateTime) ts).toInstant().toEpochMilli();
  }

  /**
   * Serving == newest history row == oracle, for every view of the spec and every entity with
   * accepted events among {@code generated} (too-late ones are not applied).
   */
  static void servingEqualsHistoryEqualsOracle(
      FeatureSpec spec,
      Iterable<PaymentsGenerator.Event> generated,
      TestServices services,
      Catalog catalog,
      String namespace)
      throws Exception {
    servingEqualsHistoryEqualsOracle(spec, generated, services, catalog, namespace, Map.of());
  }

  /** As above, reading the history from the test catalog under {@code dir} ({@link #catalog}). */
  static void servingEqualsHistoryEqualsOracle(
      FeatureSpec spec,
      Iterable<PaymentsGenerator.Event> generated,
      TestServices services,
      java.nio.file.Path dir,
      String namespace)
      throws Exception {
    Catalog catalog = catalog(dir);
    try {
      servingEqualsHistoryEqualsOracle(spec, generated, services, catalog, namespace);
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /**
   * As above, with features added to saved state: {@code warming} maps "view:feature" to the
   * instant its warm-up has ended by for every entity. Before it, a row may hold null for the
   * feature (warming up, never a value of a short window); from it on, the oracle's value.
   */
  static void servingEqualsHistoryEqualsOracle(
      FeatureSpec spec,
      Iterable<PaymentsGenerator.Event> generated,
      TestServices services,
      Catalog catalog,
      String namespace,
      Map<String, Long> warming)
      throws Exception {
    servingEqualsHistoryEqualsOracle(
        spec, generated, services.cqlSession(), services.keyspace(), catalog, namespace, warming);
  }

  /** As above, serving from the keyspace of the given Cassandra session's cluster. */
  static void servingEqualsHistoryEqualsOracle(
      FeatureSpec spec,
      Iterable<PaymentsGenerator.Event> generated,
      com.datastax.oss.driver.api.core.CqlSession session,
      String keyspace,
      Catalog catalog,
      String namespace,
      Map<String, Long> warming)
      throws Exception {
    SourceFields fields = SourceFields.of(spec);
    Map<String, List<NaiveOracle.Event>> events = acceptedEvents(generated, fields);
    try (FeatureClient client =
        FeatureClient.builder()
            .session(session)
            .keyspace(keyspace)
            .spec(spec)
            .requestTimeout(Duration.ofSeconds(10))
            .build()) {
      for (ViewSpec view : spec.views()) {
        viewEqualsOracle(view, fields, events, client, history(catalog, namespace, view), warming);
      }
    }
  }

  private static void viewEqualsOracle(
      ViewSpec view,
      SourceFields fields,
      Map<String, List<NaiveOracle.Event>> events,
      FeatureClient client,
      Map<String, List<HistoryRow>> history,
      Map<String, Long> warming) {
    // The job stops at the data's watermark, not at the end of time: events after it wait in the
    // saved state. Every row is valid from at most that watermark, so up to the newest valid_from
    // seen, every entity's events are applied and every window exit is walked.
    long newest =
        history.values().stream()
            .flatMap(List::stream)
            .mapToLong(HistoryRow::validFrom)
            .max()
            .orElseThrow();
    Map<String, List<NaiveOracle.Event>> applied = new HashMap<>();
    events.forEach(
        (entity, es) -> {
          List<NaiveOracle.Event> upTo = es.stream().filter(e -> e.ts() <= newest).toList();
          if (!upTo.isEmpty()) {
            applied.put(entity, upTo);
          }
        });
    assertThat(applied.size())
        .as("entities of %s with events up to the newest valid_from", view.name())
        .isGreaterThan(events.size() * 9 / 10);
    assertThat(history.keySet())
        .as("entities in the history of %s", view.name())
        .containsExactlyInAnyOrderElementsOf(applied.keySet());
    NaiveOracle oracle = new NaiveOracle(view, fields);
    Map<String, FeatureVector> served = client.getMany(view.name(), applied.keySet());
    for (String entity : applied.keySet()) {
      HistoryRow last = newest(history.get(entity));
      FeatureVector v = served.get(entity);
      String of = view.name() + " of " + entity;
      assertThat(v.found()).as("%s served", of).isTrue();
      assertThat(v.validFrom()).as("valid_from of %s", of).isEqualTo(last.validFrom());
      assertThat(v.revision()).as("revision of %s", of).isEqualTo(last.revision());
      Object[] expected = oracle.vector(events.get(entity), last.validFrom());
      // nothing the job should have emitted after the newest row, up to the newest valid_from
      Object[] atEnd = oracle.vector(applied.get(entity), newest);
      for (int i = 0; i < expected.length; i++) {
        String what =
            view.name()
                + ":"
                + view.features().get(i).name()
                + " of "
                + entity
                + " at "
                + last.validFrom();
        // the vector is read raw: an expired one would withhold its values
        Object servedValue = v.lastEventTime() > 0 ? rawValue(v, i) : null;
        OracleAsserts.assertSame(what + " (served vs history)", servedValue, last.values().get(i));
        FeatureDef f = view.features().get(i);
        Long warmedBy = warming.get(view.name() + ":" + f.name());
        if (warmedBy != null && last.validFrom() < warmedBy && last.values().get(i) == null) {
          continue; // still warming up at this row: null, never a short window's value
        }
        OracleAsserts.assertFeature(
            f, what + " (history vs oracle)", last.values().get(i), expected[i]);
        // a decayed sum decays without being re-emitted (docs/semantics.md): an update holds its
        // value at valid_from, so only the other kinds are unchanged up to the newest valid_from
        if (f.aggregation() != Aggregation.DECAYED_SUM) {
          OracleAsserts.assertFeature(
              f, what + " (unchanged up to " + newest + ")", atEnd[i], expected[i]);
        }
      }
    }
  }

  private static Object rawValue(FeatureVector v, int i) {
    Object x = v.value(i);
    if (x == null && v.get(i).status() == io.freshet.serving.FeatureStatus.EXPIRED) {
      throw new AssertionError("vector of " + v.entity() + " expired: generate recent events");
    }
    return x;
  }
}
