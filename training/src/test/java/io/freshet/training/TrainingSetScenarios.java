package io.freshet.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.ParquetRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The training-set tests every engine passes, over real Iceberg history tables (JDBC catalog on
 * SQLite, file-system warehouse): the join against a naive oracle that scans every history row for
 * every spine row (randomized history with corrections, i.e. revisions of one valid_from, ties on
 * the same millisecond, spine rows before the first value, ttl expiry, several views, inclusive and
 * as-served), reproduction from a manifest after more data arrived, and clear errors. A subclass
 * says how to run a training set: {@code TrainingSetIT} in this process (in memory and through
 * spill files), {@code FlinkTrainingSetIT} (training-flink) as a Flink batch job.
 */
public abstract class TrainingSetScenarios {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final SourceSpec SOURCE =
      new SourceSpec(
          "events",
          "events",
          "events.avsc",
          SchemaBuilder.record("Event").fields().requiredString("id").endRecord(),
          "id",
          "ts",
          Duration.ofSeconds(1),
          Duration.ofMinutes(10),
          Duration.ofMinutes(1));
  private static final ViewSpec SHORT =
      new ViewSpec(
          "short_view",
          Duration.ofMinutes(30),
          null,
          List.of(
              feature("clicks", Aggregation.COUNT, ValueType.LONG),
              feature("spend", Aggregation.SUM, ValueType.DOUBLE),
              feature("country", Aggregation.LAST, ValueType.STRING)),
          List.of());
  private static final ViewSpec LONG =
      new ViewSpec(
          "long_view",
          Duration.ofDays(2),
          null,
          List.of(
              feature("clicks", Aggregation.COUNT, ValueType.LONG),
              feature("vip", Aggregation.LAST, ValueType.BOOLEAN)),
          List.of());
  private static final FeatureSpec SPEC = new FeatureSpec(null, SOURCE, List.of(SHORT, LONG));

  private Path dir;
  private Catalog catalog;
  private Map<String, String> catalogProperties;

  /** Builds the training set with the engine under test. */
  protected abstract Manifest run(TrainingSet trainingSet) throws Exception;

  /** Checks engine-specific progress lines of the randomized test. */
  protected void checkProgress(List<String> lines, long rowsInMemory) {}

  private static FeatureDef feature(String name, Aggregation agg, ValueType type) {
    String field = agg == Aggregation.COUNT ? null : name;
    return new FeatureDef(name, agg, field, type, null, null, null, null);
  }

  @BeforeEach
  public void catalog() throws IOException {
    dir = Path.of("target", "training-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    catalogProperties = HistoryCatalogs.complete(Map.of(), dir.resolve("state"));
    catalog = HistoryCatalogs.load("freshet", catalogProperties);
  }

  private Table table(ViewSpec view) {
    return HistoryTables.ensure(catalog, "freshet", SOURCE, view);
  }

  /** Random history of a view: per entity non-decreasing valid_from, corrections, ties. */
  private static List<HistoryAppender.Row> history(ViewSpec view, Random rnd, int entities) {
    List<HistoryAppender.Row> rows = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      if (e % 7 == 3) {
        continue; // entities with no history at all
      }
      long vf = T0 + rnd.nextInt(3_600_000);
      long written = vf;
      long last = vf;
      int nextRevision = 0;
      int n = 1 + rnd.nextInt(40);
      for (int i = 0; i < n; i++) {
        long step =
            rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(rnd.nextInt(10) == 0 ? 7_200_000 : 300_000);
        // the same valid_from again is a correction: its revision counts up
        nextRevision = i > 0 && step == 0 ? nextRevision : 0;
        vf += step;
        last = Math.max(last, vf - (rnd.nextInt(3) == 0 ? rnd.nextInt(1_800_000) : 0));
        int revisions = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(3) : 1;
        for (int k = 0; k < revisions; k++) {
          int rev = nextRevision++;
          written = Math.max(written, vf) + rnd.nextInt(5_000);
          rows.add(
              new HistoryAppender.Row("e" + e, vf, last, written, rev, randomValues(view, rnd)));
        }
      }
    }
    java.util.Collections.shuffle(rows, rnd);
    return rows;
  }

  private static List<Object> randomValues(ViewSpec view, Random rnd) {
    List<Object> values = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      if (rnd.nextInt(8) == 0) {
        values.add(null);
        continue;
      }
      values.add(
          switch (f.outputType()) {
            case LONG -> (long) rnd.nextInt(1000);
            case DOUBLE -> rnd.nextInt(100_000) / 100.0;
            case STRING -> List.of("FR", "DE", "NL").get(rnd.nextInt(3));
            case BOOLEAN -> rnd.nextBoolean();
          });
    }
    return values;
  }

  private static long append(Table table, List<HistoryAppender.Row> rows) {
    List<Record> records = new ArrayList<>();
    for (HistoryAppender.Row r : rows) {
      records.add(HistoryAppender.toRecord(table, r));
    }
    return HistoryAppender.append(table, records);
  }

  /** A training set over SPEC and the catalog, from a spine with columns customer and event_ts. */
  private TrainingSet.Builder builder(Path spineFile) {
    return TrainingSet.builder()
        .catalog(catalog, "freshet", catalogProperties)
        .spec(SPEC)
        .spine(spineFile)
        .entityColumn("customer")
        .timestampColumn("event_ts");
  }

  /** A spine row. */
  record SpineRow(String entity, long ts, int label) {}

  /** Random spine: some timestamps exactly on history times, some before any history. */
  private static List<SpineRow> spine(
      Random rnd, int n, int entities, List<List<HistoryAppender.Row>> histories) {
    List<SpineRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String e = "e" + rnd.nextInt(entities + 2); // two entities unknown to every view
      long ts;
      int pick = rnd.nextInt(4);
      List<HistoryAppender.Row> h = histories.get(rnd.nextInt(histories.size()));
      if (pick == 0 && !h.isEmpty()) {
        HistoryAppender.Row r = h.get(rnd.nextInt(h.size()));
        e = r.entity();
        ts = rnd.nextBoolean() ? r.validFrom() : r.writtenAt();
      } else if (pick == 1) {
        ts = T0 - rnd.nextInt(3_600_000); // before everything
      } else {
        ts = T0 + rnd.nextInt(30 * 3_600_000);
      }
      out.add(new SpineRow(e, ts, i % 2));
    }
    return out;
  }

  /** The naive rule: every history row of the entity, the newest one before the spine time. */
  private static Object oracle(
      List<HistoryAppender.Row> history,
      ViewSpec view,
      int featureIdx,
      SpineRow s,
      boolean inclusive,
      boolean asServed) {
    HistoryAppender.Row best = newestBefore(history, view, s, inclusive, asServed);
    return best == null ? null : best.values().get(featureIdx);
  }

  /**
   * Whether the row an as-served read finds was one the online store held: its valid_from older
   * than the hold at its written_at; null without a row.
   */
  private static Boolean held(
      List<HistoryAppender.Row> history, ViewSpec view, SpineRow s, boolean inclusive, long hold) {
    HistoryAppender.Row best = newestBefore(history, view, s, inclusive, true);
    return best == null ? null : best.writtenAt() - best.validFrom() > hold;
  }

  /** The row the naive rule reads, or null (none, or expired by the ttl). */
  private static HistoryAppender.Row newestBefore(
      List<HistoryAppender.Row> history,
      ViewSpec view,
      SpineRow s,
      boolean inclusive,
      boolean asServed) {
    HistoryAppender.Row best = null;
    for (HistoryAppender.Row r : history) {
      if (!r.entity().equals(s.entity())) {
        continue;
      }
      long key = asServed ? r.writtenAt() : r.validFrom();
      if (inclusive ? key > s.ts() : key >= s.ts()) {
        continue;
      }
      if (best == null
          || r.validFrom() > best.validFrom()
          || (r.validFrom() == best.validFrom() && r.revision() > best.revision())) {
        best = r;
      }
    }
    if (best == null || s.ts() - best.lastEventTime() > view.ttl().toMillis()) {
      return null;
    }
    return best;
  }

  private static void writeCsv(Path file, List<SpineRow> rows) throws IOException {
    StringBuilder sb = new StringBuilder("customer,label,event_ts\n");
    for (int i = 0; i < rows.size(); i++) {
      SpineRow r = rows.get(i);
      String ts =
          i % 3 == 0 ? Long.toString(r.ts()) : java.time.Instant.ofEpochMilli(r.ts()).toString();
      sb.append(r.entity()).append(',').append(r.label()).append(',').append(ts).append('\n');
    }
    Files.writeString(file, sb);
  }

  private static void writeParquet(Path file, List<SpineRow> rows) throws IOException {
    Schema ts = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema =
        SchemaBuilder.record("spine")
            .fields()
            .requiredString("customer")
            .requiredInt("label")
            .name("event_ts")
            .type(ts)
            .noDefault()
            .endRecord();
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(schema)
            .withDataModel(GenericData.get())
            .build()) {
      for (SpineRow r : rows) {
        GenericData.Record rec = new GenericData.Record(schema);
        rec.put("customer", r.entity());
        rec.put("label", r.label());
        rec.put("event_ts", r.ts() * 1000);
        w.write(rec);
      }
    }
  }

  private static Object plain(Object v) {
    return v instanceof CharSequence c ? c.toString() : v;
  }

  @ParameterizedTest(name = "inclusive={0} asServed={1} parquet={2} rowsInMemory={3}")
  @CsvSource({
    "false, false, false, 0",
    "true, false, true, 0",
    "false, true, true, 0",
    "true, true, false, 0",
    "false, false, true, 500",
    "true, true, true, 300",
    "false, true, false, 700",
  })
  public void pointInTimeJoinEqualsTheNaiveOracle(
      boolean inclusive, boolean asServed, boolean parquet, long rowsInMemory) throws Exception {
    Random rnd = new Random(Objects.hash(inclusive, asServed, parquet, rowsInMemory));
    int entities = 40;
    Table shortTable = table(SHORT);
    Table longTable = table(LONG);
    HistoryTables.recordOnlineHold(shortTable, 2_000);
    List<HistoryAppender.Row> shortHistory = history(SHORT, rnd, entities);
    List<HistoryAppender.Row> longHistory = history(LONG, rnd, entities);
    // two commits per table: the join reads all of the current snapshot
    int half = shortHistory.size() / 2;
    append(shortTable, shortHistory.subList(0, half));
    append(shortTable, shortHistory.subList(half, shortHistory.size()));
    append(longTable, longHistory);
    List<SpineRow> spine = spine(rnd, 3000, entities, List.of(shortHistory, longHistory));
    Path spineFile = dir.resolve(parquet ? "spine.parquet" : "spine.csv");
    if (parquet) {
      writeParquet(spineFile, spine);
    } else {
      writeCsv(spineFile, spine);
    }
    Path out = dir.resolve("out.parquet");
    List<String> lines = new ArrayList<>();
    Manifest m =
        run(
            builder(spineFile)
                .select(
                    "short_view:clicks",
                    "short_view:spend",
                    "long_view:vip",
                    "short_view:country",
                    "long_view:clicks")
                .inclusive(inclusive)
                .asServed(asServed)
                .rowsInMemory(rowsInMemory)
                .tempDir(dir)
                .output(out)
                .progress(lines::add)
                .build());
    checkProgress(lines, rowsInMemory);
    assertThat(m.views())
        .extracting(Manifest.ViewRead::view)
        .containsExactly("short_view", "long_view");
    if (asServed) {
      // as served, each view says which rows the online store held (short_view: 2 s, long_view:
      // the 1 min of tables that do not record it)
      assertThat(m.views().get(0).columns())
          .containsExactly("short_view__clicks", "spend", "country", "short_view__held");
      assertThat(m.views().get(1).columns())
          .containsExactly("vip", "long_view__clicks", "long_view__held");
    } else {
      assertThat(m.views().get(0).columns())
          .containsExactly("short_view__clicks", "spend", "country");
      assertThat(m.views().get(1).columns()).containsExactly("vip", "long_view__clicks");
    }

    List<GenericRecord> rows = ParquetRows.read(out);
    assertThat(rows).hasSize(spine.size());
    int differences = 0;
    List<String> examples = new ArrayList<>();
    int nonNull = 0;
    int heldRows = 0;
    for (int i = 0; i < spine.size(); i++) {
      SpineRow s = spine.get(i);
      GenericRecord r = rows.get(i);
      assertThat(plain(r.get("customer"))).isEqualTo(s.entity());
      assertThat(plain(r.get("label")).toString()).isEqualTo(Integer.toString(s.label()));
      List<Object[]> expected = new ArrayList<>();
      Object[][] values = {
        {"short_view__clicks", oracle(shortHistory, SHORT, 0, s, inclusive, asServed)},
        {"spend", oracle(shortHistory, SHORT, 1, s, inclusive, asServed)},
        {"country", oracle(shortHistory, SHORT, 2, s, inclusive, asServed)},
        {"vip", oracle(longHistory, LONG, 1, s, inclusive, asServed)},
        {"long_view__clicks", oracle(longHistory, LONG, 0, s, inclusive, asServed)},
      };
      expected.addAll(List.of(values));
      if (asServed) {
        expected.add(
            new Object[] {"short_view__held", held(shortHistory, SHORT, s, inclusive, 2_000)});
        expected.add(
            new Object[] {"long_view__held", held(longHistory, LONG, s, inclusive, 60_000)});
      }
      for (Object[] e : expected) {
        Object actual = plain(r.get((String) e[0]));
        if (!Objects.equals(actual, e[1])) {
          differences++;
          if (examples.size() < 10) {
            examples.add("row " + i + " " + s + " " + e[0] + ": " + actual + " != " + e[1]);
          }
        }
        if (actual != null) {
          nonNull++;
        }
        if (Boolean.TRUE.equals(actual) && ((String) e[0]).endsWith("__held")) {
          heldRows++;
        }
      }
    }
    assertThat(examples).as("differences: %d", differences).isEmpty();
    assertThat(nonNull).as("the data exercises values, not only nulls").isGreaterThan(3000);
    if (asServed) {
      assertThat(heldRows).as("rows read that the online store held").isPositive();
    }
  }

  @Test
  public void aManifestReproducesTheSameRowsAfterMoreDataArrived() throws Exception {
    Random rnd = new Random(5);
    Table shortTable = table(SHORT);
    Table longTable = table(LONG);
    List<HistoryAppender.Row> shortHistory = history(SHORT, rnd, 20);
    List<HistoryAppender.Row> longHistory = history(LONG, rnd, 20);
    append(shortTable, shortHistory);
    append(longTable, longHistory);
    List<SpineRow> spine = spine(rnd, 1000, 20, List.of(shortHistory, longHistory));
    Path spineFile = dir.resolve("spine.csv");
    writeCsv(spineFile, spine);
    Path first = dir.resolve("first.parquet");
    run(builder(spineFile).select("short_view:spend", "long_view:vip").output(first).build());
    Manifest manifest = Manifest.read(TrainingSet.defaultManifest(first));
    assertThat(manifest.views()).allMatch(v -> v.snapshotId() != null);

    // Newer data for every entity, valid before every spine timestamp: a fresh build sees it.
    List<HistoryAppender.Row> late = new ArrayList<>();
    Map<String, Long> newest = new java.util.HashMap<>();
    for (HistoryAppender.Row r : longHistory) {
      newest.merge(r.entity(), r.validFrom(), Math::max);
    }
    newest.forEach(
        (entity, vf) ->
            late.add(
                new HistoryAppender.Row(
                    entity, vf + 1, vf + 1, vf + 2, 0, java.util.Arrays.asList(7L, null))));
    append(longTable, late);
    Path fresh = dir.resolve("fresh.parquet");
    run(builder(spineFile).select("short_view:spend", "long_view:vip").output(fresh).build());
    Path again = dir.resolve("again.parquet");
    Manifest reproduced =
        run(
            TrainingSet.reproduce(manifest)
                .catalog(catalog, "freshet", catalogProperties)
                .output(again)
                .build());

    assertThat(reproduced.views()).isEqualTo(manifest.views());
    assertThat(ParquetRows.text(again)).isEqualTo(ParquetRows.text(first));
    assertThat(ParquetRows.text(fresh)).isNotEqualTo(ParquetRows.text(first));
  }

  @Test
  public void withoutHistoryYetEveryFeatureIsNull() throws Exception {
    table(SHORT);
    table(LONG);
    List<SpineRow> spine = spine(new Random(11), 200, 10, List.of(List.of()));
    Path spineFile = dir.resolve("spine.csv");
    writeCsv(spineFile, spine);
    Path out = dir.resolve("empty.parquet");
    Manifest m =
        run(builder(spineFile).select("short_view:country", "long_view:vip").output(out).build());
    assertThat(m.views()).allMatch(v -> v.snapshotId() == null);
    List<GenericRecord> rows = ParquetRows.read(out);
    assertThat(rows).hasSize(spine.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(plain(rows.get(i).get("customer"))).isEqualTo(spine.get(i).entity());
      assertThat(rows.get(i).get("country")).isNull();
      assertThat(rows.get(i).get("vip")).isNull();
    }
  }

  /**
   * Window exits and corrections are valid from later than the entity's last event: the ttl (30 min
   * on short_view) runs from last_event_time (store/Expiry), so a value is null 30 min after its
   * last event however recent its valid_from. Pinned row by row, in every engine, where the
   * randomized test above catches it only where its random history happens to differ.
   */
  @Test
  public void ttlRunsFromTheLastEventNotFromValidFrom() throws Exception {
    long min = 60_000L;
    append(
        table(SHORT),
        List.of(
            new HistoryAppender.Row("x", T0, T0, T0, 0, java.util.Arrays.asList(1L, 2.0, "FR")),
            // the window exit 20 min later: same last event
            new HistoryAppender.Row(
                "x", T0 + 20 * min, T0, T0 + 20 * min, 0, java.util.Arrays.asList(0L, 0.0, "FR")),
            // a correction valid from 5 min after its late event
            new HistoryAppender.Row(
                "y",
                T0 + 45 * min,
                T0 + 40 * min,
                T0 + 45 * min,
                1,
                java.util.Arrays.asList(5L, 9.5, "DE"))));
    table(LONG);
    List<SpineRow> spine =
        List.of(
            new SpineRow("x", T0 + 30 * min, 0), // exactly ttl after the last event: live
            new SpineRow("x", T0 + 30 * min + 1, 1), // 10 min after the exit, but expired
            new SpineRow("y", T0 + 70 * min, 0),
            new SpineRow("y", T0 + 70 * min + 1, 1));
    Path spineFile = dir.resolve("spine.csv");
    writeCsv(spineFile, spine);
    Path out = dir.resolve("ttl.parquet");
    run(builder(spineFile).select("short_view:clicks", "short_view:country").output(out).build());
    List<GenericRecord> rows = ParquetRows.read(out);
    assertThat(rows).extracting(r -> plain(r.get("clicks"))).containsExactly(0L, null, 5L, null);
    assertThat(rows)
        .extracting(r -> plain(r.get("country")))
        .containsExactly("FR", null, "DE", null);
  }

  /**
   * A feature added to a view whose job resumed from saved state is null while it warms up; the
   * history lists it in warming_up, and rows written before it was added carry a spec version
   * without it. A training set says so in an indicator column after the view's features: true (not
   * computed yet), false (computed: a null is the feature's value), null (no row, or expired). Read
   * from one data file (Iceberg's generic reader) and then from two (the column reader of local
   * files, where the list column is repeated).
   */
  @Test
  public void anAddedFeatureSaysWhereItWasNotComputedYet() throws Exception {
    long min = 60_000L;
    table(SHORT);
    table(LONG);
    List<FeatureDef> features = new ArrayList<>(SHORT.features());
    features.add(feature("recent", Aggregation.COUNT, ValueType.LONG));
    ViewSpec plus = new ViewSpec(SHORT.name(), SHORT.ttl(), null, features, List.of());
    Table table = HistoryTables.ensure(catalog, "freshet", SOURCE, plus);
    FeatureSpec spec = new FeatureSpec(null, SOURCE, List.of(plus, LONG));
    HistoryAppender.append(
        table,
        List.of(
            row(table, SHORT, "v", T0, 1L, null, null),
            row(table, plus, "x", T0, 1L, null, List.of("recent")),
            row(table, plus, "y", T0, 1L, null, null),
            row(table, plus, "w", T0, 1L, 4L, List.of("other"))));
    List<SpineRow> spine =
        List.of(
            new SpineRow("x", T0 + min, 0), // warming up
            new SpineRow("x", T0 + 11 * min, 1), // warm (second file)
            new SpineRow("y", T0 + min, 0), // null, and computed
            new SpineRow("w", T0 + min, 1), // another feature warming up
            new SpineRow("w", T0 + 11 * min, 0), // both listed (second file)
            new SpineRow("z", T0 + min, 1), // no row at all
            new SpineRow("x", T0 + 10 * min + 31 * min, 0), // expired
            new SpineRow("v", T0 + min, 1), // written before the feature was added
            new SpineRow("v", T0 + 11 * min, 0)); // written after (second file)
    Path spineFile = dir.resolve("spine.csv");
    writeCsv(spineFile, spine);
    TrainingSet.Builder builder =
        TrainingSet.builder()
            .catalog(catalog, "freshet", catalogProperties)
            .spec(spec)
            .spine(spineFile)
            .entityColumn("customer")
            .timestampColumn("event_ts")
            .select("short_view:clicks", "short_view:recent");

    Path one = dir.resolve("one-file.parquet");
    Manifest m = run(builder.output(one).build());
    assertThat(m.views().get(0).columns())
        .containsExactly("clicks", "recent", "recent__warming_up");
    assertThat(m.views().get(0).features())
        .containsExactly("clicks", "recent", Indicators.warmingUp("recent"));
    List<GenericRecord> rows = ParquetRows.read(one);
    assertThat(rows)
        .extracting(r -> r.get("recent"))
        .containsExactly(null, null, null, 4L, 4L, null, null, null, null);
    assertThat(rows)
        .extracting(r -> r.get("recent__warming_up"))
        .containsExactly(true, true, false, false, false, null, null, true, true);

    HistoryAppender.append(
        table,
        List.of(
            row(table, plus, "x", T0 + 10 * min, 2L, 7L, null),
            row(table, plus, "w", T0 + 10 * min, 2L, null, List.of("other", "recent")),
            row(table, plus, "v", T0 + 10 * min, 2L, 3L, null)));
    Path two = dir.resolve("two-files.parquet");
    run(builder.output(two).build());
    rows = ParquetRows.read(two);
    assertThat(rows)
        .extracting(r -> r.get("clicks"))
        .containsExactly(1L, 2L, 1L, 1L, 2L, null, null, 1L, 2L);
    assertThat(rows)
        .extracting(r -> r.get("recent"))
        .containsExactly(null, 7L, null, 4L, null, null, null, null, 3L);
    assertThat(rows)
        .extracting(r -> r.get("recent__warming_up"))
        .containsExactly(true, false, false, false, true, null, null, true, false);
  }

  /**
   * The online store held catch-up updates (valid_from older than its hold at their written_at)
   * until the job's next checkpoint: as served, such a row went online later than its written_at,
   * or never. An as-served training set flags the rows it read that were held; one placed by
   * valid_from has no such column.
   */
  @Test
  public void asServedFlagsTheRowsTheOnlineStoreHeld() throws Exception {
    long min = 60_000L;
    Table table = table(SHORT);
    table(LONG);
    HistoryTables.recordOnlineHold(table, min);
    append(
        table,
        List.of(
            new HistoryAppender.Row(
                "a", T0, T0, T0 + 1000, 0, java.util.Arrays.asList(1L, 1.0, "FR")),
            new HistoryAppender.Row(
                "b", T0, T0, T0 + 10 * min, 0, java.util.Arrays.asList(2L, 1.0, "FR")),
            new HistoryAppender.Row(
                "b",
                T0 + 12 * min,
                T0 + 12 * min,
                T0 + 12 * min + 5,
                0,
                java.util.Arrays.asList(3L, 1.0, "FR"))));
    List<SpineRow> spine =
        List.of(
            new SpineRow("a", T0 + 11 * min, 0), // went online at once
            new SpineRow("b", T0 + 11 * min, 1), // a catch-up row: held
            new SpineRow("b", T0 + 13 * min, 0), // the live row after it
            new SpineRow("c", T0 + 11 * min, 1)); // no row
    Path spineFile = dir.resolve("spine.csv");
    writeCsv(spineFile, spine);
    Path out = dir.resolve("held.parquet");
    Manifest m =
        run(builder(spineFile).select("short_view:clicks").asServed(true).output(out).build());
    assertThat(m.views().get(0).columns()).containsExactly("clicks", "short_view__held");
    List<GenericRecord> rows = ParquetRows.read(out);
    assertThat(rows).extracting(r -> r.get("clicks")).containsExactly(1L, 2L, 3L, null);
    assertThat(rows)
        .extracting(r -> r.get("short_view__held"))
        .containsExactly(false, true, false, null);

    Path byValidFrom = dir.resolve("by-valid-from.parquet");
    m = run(builder(spineFile).select("short_view:clicks").output(byValidFrom).build());
    assertThat(m.views().get(0).columns()).containsExactly("clicks");
  }

  /**
   * A row of short_view as {@code writer} (a spec version) wrote it, with values for the added
   * feature "recent" (null for a writer without it) and a warming_up list (or null).
   */
  private static Record row(
      Table table,
      ViewSpec writer,
      String entity,
      long validFrom,
      long clicks,
      Long recent,
      List<String> warmingUp) {
    Record r =
        HistoryAppender.toRecord(
            table,
            new HistoryAppender.Row(
                entity,
                validFrom,
                validFrom,
                validFrom,
                0,
                java.util.Arrays.asList(clicks, 1.0, "FR", recent)));
    r.setField("warming_up", warmingUp);
    r.setField("spec_version", writer.version(SOURCE));
    return r;
  }

  /**
   * short_view with request-time features: a ratio to a spine column (a division by zero where the
   * joined spend is 0), an increment of a stored feature that is not selected (joined, then left
   * out), and a comparison of a stored string with a spine column.
   */
  private static final ViewSpec SHORT_WITH_REQUESTS = withRequests(SHORT);

  private static ViewSpec withRequests(ViewSpec v) {
    Map<String, ValueType> fields = new java.util.LinkedHashMap<>();
    fields.put("amount", ValueType.DOUBLE);
    fields.put("country_now", ValueType.STRING);
    Map<String, ValueType> inputs = v.expressionInputs();
    inputs.putAll(fields);
    try {
      return new ViewSpec(
          v.name(),
          v.ttl(),
          v.tile(),
          v.features(),
          v.expectations(),
          v.docs(),
          v.featureDocs(),
          fields,
          List.of(
              new io.freshet.spec.RequestFeature(
                  "spend_ratio",
                  io.freshet.spec.Expression.compile("amount / spend", inputs),
                  null),
              new io.freshet.spec.RequestFeature(
                  "clicks_plus", io.freshet.spec.Expression.compile("clicks + 1", inputs), null),
              new io.freshet.spec.RequestFeature(
                  "moved",
                  io.freshet.spec.Expression.compile("country != country_now", inputs),
                  null),
              new io.freshet.spec.RequestFeature(
                  "big_amount",
                  io.freshet.spec.Expression.compile("amount > 100.0", inputs),
                  null)));
    } catch (io.freshet.spec.Expression.Invalid e) {
      throw new AssertionError(e);
    }
  }

  @Test
  public void requestTimeFeaturesEqualTheOracleAndReproduce() throws Exception {
    Random rnd = new Random(17);
    Table shortTable = table(SHORT);
    List<HistoryAppender.Row> history = new ArrayList<>();
    for (HistoryAppender.Row r : history(SHORT, rnd, 30)) {
      // a spend of exactly 0 now and then: the ratio divides by zero there
      List<Object> values = new ArrayList<>(r.values());
      if (rnd.nextInt(6) == 0) {
        values.set(1, 0.0);
      }
      history.add(
          new HistoryAppender.Row(
              r.entity(), r.validFrom(), r.lastEventTime(), r.writtenAt(), r.revision(), values));
    }
    append(shortTable, history);
    List<SpineRow> spine = spine(rnd, 1500, 30, List.of(history));
    List<Double> amounts = new ArrayList<>();
    List<String> countries = new ArrayList<>();
    StringBuilder csv = new StringBuilder("customer,label,event_ts,amount,country_now\n");
    for (SpineRow r : spine) {
      Double amount = rnd.nextInt(10) == 0 ? null : rnd.nextInt(50_000) / 100.0;
      String country = rnd.nextInt(10) == 0 ? null : List.of("FR", "DE", "NL").get(rnd.nextInt(3));
      amounts.add(amount);
      countries.add(country);
      csv.append(r.entity())
          .append(',')
          .append(r.label())
          .append(',')
          .append(r.ts())
          .append(',')
          .append(amount == null ? "" : amount.toString())
          .append(',')
          .append(country == null ? "" : country)
          .append('\n');
    }
    Path spineFile = dir.resolve("spine.csv");
    Files.writeString(spineFile, csv);
    Path out = dir.resolve("requests.parquet");
    Manifest m =
        run(
            TrainingSet.builder()
                .catalog(catalog, "freshet", catalogProperties)
                .spec(new FeatureSpec(null, SOURCE, List.of(SHORT_WITH_REQUESTS, LONG)))
                .spine(spineFile)
                .entityColumn("customer")
                .timestampColumn("event_ts")
                .select(
                    "short_view:spend",
                    "short_view:spend_ratio",
                    "short_view:clicks_plus",
                    "short_view:moved",
                    "short_view:country")
                .output(out)
                .build());

    List<GenericRecord> rows = ParquetRows.read(out);
    assertThat(rows).hasSize(spine.size());
    assertThat(rows.get(0).getSchema().getFields())
        .extracting(Schema.Field::name)
        .containsExactly(
            "customer",
            "label",
            "event_ts",
            "amount",
            "country_now",
            "spend",
            "country",
            "spend_ratio",
            "clicks_plus",
            "moved");
    assertThat(m.hiddenColumns()).containsExactly("clicks");
    int differences = 0;
    long divisionsByZero = 0;
    int computed = 0;
    List<String> examples = new ArrayList<>();
    for (int i = 0; i < spine.size(); i++) {
      SpineRow s = spine.get(i);
      Double spend = (Double) oracle(history, SHORT, 1, s, false, false);
      Long clicks = (Long) oracle(history, SHORT, 0, s, false, false);
      String country = (String) oracle(history, SHORT, 2, s, false, false);
      Double amount = amounts.get(i);
      String now = countries.get(i);
      Double ratio = null;
      if (amount != null && spend != null) {
        if (spend == 0.0) {
          divisionsByZero++;
        } else {
          ratio = amount / spend;
        }
      }
      Object[][] expected = {
        {"spend_ratio", ratio},
        {"clicks_plus", clicks == null ? null : clicks + 1},
        {"moved", country == null || now == null ? null : !country.equals(now)},
      };
      for (Object[] e : expected) {
        Object actual = plain(rows.get(i).get((String) e[0]));
        if (actual != null) {
          computed++;
        }
        if (!Objects.equals(actual, e[1])) {
          differences++;
          if (examples.size() < 10) {
            examples.add("row " + i + " " + s + " " + e[0] + ": " + actual + " != " + e[1]);
          }
        }
      }
    }
    assertThat(examples).as("differences: %d", differences).isEmpty();
    assertThat(computed).as("the data exercises values, not only nulls").isGreaterThan(600);
    assertThat(divisionsByZero).as("rows dividing by zero").isPositive();
    assertThat(m.requestFeatures())
        .extracting(Manifest.RequestRead::feature, Manifest.RequestRead::failedRows)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("spend_ratio", divisionsByZero),
            org.assertj.core.groups.Tuple.tuple("clicks_plus", 0L),
            org.assertj.core.groups.Tuple.tuple("moved", 0L));

    Path again = dir.resolve("requests-again.parquet");
    Manifest reproduced =
        run(
            TrainingSet.reproduce(Manifest.read(TrainingSet.defaultManifest(out)))
                .catalog(catalog, "freshet", catalogProperties)
                .output(again)
                .build());
    assertThat(ParquetRows.text(again)).isEqualTo(ParquetRows.text(out));
    assertThat(reproduced.requestFeatures()).isEqualTo(m.requestFeatures());

    // a request-time feature of request fields alone: nothing to join, computed from the spine
    Path alone = dir.resolve("alone.parquet");
    run(
        TrainingSet.builder()
            .catalog(catalog, "freshet", catalogProperties)
            .spec(new FeatureSpec(null, SOURCE, List.of(SHORT_WITH_REQUESTS, LONG)))
            .spine(spineFile)
            .entityColumn("customer")
            .timestampColumn("event_ts")
            .select("short_view:big_amount")
            .output(alone)
            .build());
    List<GenericRecord> aloneRows = ParquetRows.read(alone);
    assertThat(aloneRows).hasSize(spine.size());
    for (int i = 0; i < spine.size(); i++) {
      Double amount = amounts.get(i);
      assertThat(plain(aloneRows.get(i).get("big_amount")))
          .as("row %d", i)
          .isEqualTo(amount == null ? null : amount > 100.0);
    }

    TrainingSet noColumn =
        TrainingSet.builder()
            .catalog(catalog, "freshet", catalogProperties)
            .spec(new FeatureSpec(null, SOURCE, List.of(SHORT_WITH_REQUESTS, LONG)))
            .spine(dir.resolve("spine.csv"))
            .entityColumn("customer")
            .timestampColumn("label")
            .select("short_view:moved")
            .output(dir.resolve("x.parquet"))
            .build();
    Files.writeString(dir.resolve("spine.csv"), "customer,label\ne1,2026-01-01T00:00:00Z\n");
    assertThatThrownBy(() -> run(noColumn))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("reads request field 'country_now'")
        .hasMessageContaining(
            "the spine has no column 'country_now' (its columns: [customer, label])");
  }

  @Test
  public void clearErrors() throws Exception {
    table(SHORT);
    table(LONG);
    Path spineFile = dir.resolve("spine.csv");
    Files.writeString(spineFile, "customer,event_ts\ne1,2026-01-01T00:00:00Z\ne2,yesterday\n");
    TrainingSet.Builder base = builder(spineFile).output(dir.resolve("o.parquet"));

    assertThatThrownBy(() -> base.select("nope:clicks", "short_view:nope").build())
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("unknown view 'nope' (views: [short_view, long_view])")
        .hasMessageContaining(
            "view 'short_view' has no feature 'nope' (features: [clicks, spend, country])");
    assertThatThrownBy(
            () ->
                TrainingSet.builder()
                    .catalog(catalog, "freshet", catalogProperties)
                    .spec(SPEC)
                    .spine(spineFile)
                    .output(dir.resolve("o.parquet"))
                    .select("short_view:clicks")
                    .build()
                    .run(TrainingSetScenarios::neverRun))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("has no column entity (entity), no column timestamp (timestamp)")
        .hasMessageContaining("[customer, event_ts]");
    TrainingSet bad =
        builder(spineFile).output(dir.resolve("o.parquet")).select("short_view:clicks").build();
    assertThatThrownBy(() -> run(bad))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("row 2: timestamp column 'event_ts' has 'yesterday'");

    // Parquet spines know their row count: the bad value is met by the engine, not before it.
    Path parquetSpine = dir.resolve("text-timestamps.parquet");
    Schema schema =
        SchemaBuilder.record("spine")
            .fields()
            .requiredString("customer")
            .requiredString("event_ts")
            .endRecord();
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(parquetSpine))
            .withSchema(schema)
            .withDataModel(GenericData.get())
            .build()) {
      String[][] rows = {
        {"e1", "2026-01-01T00:00:00Z"}, {"e2", "2026-01-01T00:00:01Z"}, {"e3", "soon"}
      };
      for (String[] r : rows) {
        GenericData.Record rec = new GenericData.Record(schema);
        rec.put("customer", r[0]);
        rec.put("event_ts", r[1]);
        w.write(rec);
      }
    }
    TrainingSet badParquet =
        TrainingSet.builder()
            .catalog(catalog, "freshet", catalogProperties)
            .spec(SPEC)
            .spine(parquetSpine)
            .entityColumn("customer")
            .timestampColumn("event_ts")
            .output(dir.resolve("o.parquet"))
            .select("short_view:clicks")
            .build();
    assertThatThrownBy(() -> run(badParquet))
        .isInstanceOf(TrainingSetException.class)
        .hasMessageContaining("row 3: timestamp column 'event_ts' has 'soon'");
    assertThat(dir.resolve("o.parquet")).doesNotExist();
  }

  private static void neverRun(TrainingPlan plan, Path file, Consumer<String> progress) {
    throw new AssertionError("the engine must not run when the spine is unusable");
  }
}
