package io.freshet.training.bench;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.training.HistoryAppender;
import io.freshet.training.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Training-set throughput against DuckDB's ASOF JOIN over the same Parquet files, in one run.
 *
 * <p>Generates (once, reused when present) a history table of {@code --history-rows} rows with
 * seven feature columns in a local Iceberg catalog and a spine of {@code --spine-rows} rows, then
 * times: Freshet's training set (spine Parquet + Iceberg history -> Parquet in spine order) and
 * DuckDB (2 threads) reading the spine and the table's data files with an ASOF LEFT JOIN, the same
 * ttl rule and the spine's row order, written to Parquet. Both outputs are compared cell by cell
 * before the times are reported. Usage: {@code training/run-benchmark.sh [--spine-rows N]
 * [--history-rows N] [--dir DIR] [--runs N]}.
 */
public final class TrainingSetBenchmark {
  private static final long T0 = 1_767_225_600_000L;
  private static final long TTL = Duration.ofDays(3).toMillis();
  private static final List<String> FEATURES =
      List.of("count_1h", "count_24h", "count_7d", "sum_1h", "sum_24h", "avg_7d", "last_country");

  public static void main(String[] args) throws Exception {
    long spineRows = 1_000_000;
    long historyRows = 10_000_000;
    int runs = 3;
    Path dir = Path.of("target", "training-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--spine-rows" -> spineRows = Long.parseLong(args[++i]);
        case "--history-rows" -> historyRows = Long.parseLong(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    dir = dir.toAbsolutePath();
    Files.createDirectories(dir);
    int entities = (int) Math.max(1, historyRows / 50);
    String tag = historyRows + "-" + spineRows;
    Path state = dir.resolve("state-" + tag);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), state));
    SourceSpec source =
        new SourceSpec(
            "bench",
            "bench",
            "bench.avsc",
            SchemaBuilder.record("E").fields().requiredString("id").endRecord(),
            "id",
            "ts",
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            Duration.ofMinutes(1));
    List<FeatureDef> defs = new ArrayList<>();
    for (String f : FEATURES) {
      ValueType t =
          f.startsWith("count")
              ? ValueType.LONG
              : f.startsWith("last") ? ValueType.STRING : ValueType.DOUBLE;
      defs.add(
          new FeatureDef(
              f,
              t == ValueType.LONG ? Aggregation.COUNT : Aggregation.LAST,
              t == ValueType.LONG ? null : f,
              t,
              null,
              null,
              null,
              null));
    }
    ViewSpec view = new ViewSpec("bench_view", Duration.ofMillis(TTL), null, defs, List.of());
    FeatureSpec spec = new FeatureSpec(null, source, List.of(view));
    Table table = HistoryTables.ensure(catalog, "freshet", source, view);
    if (table.currentSnapshot() == null) {
      long t = System.nanoTime();
      writeHistory(table, historyRows, entities);
      System.out.printf("generated %,d history rows in %.1f s%n", historyRows, secs(t));
    }
    Path spine = dir.resolve("spine-" + tag + ".parquet");
    if (!Files.exists(spine)) {
      writeSpine(spine, spineRows, entities);
    }
    List<String> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file().location().replaceFirst("^file:", ""));
      }
    }
    System.out.printf(
        "history: %,d rows in %d Parquet files; spine: %,d rows; %d cores, max heap %d MB%n",
        historyRows,
        files.size(),
        spineRows,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    if (runs == 0) {
      return; // --runs 0: generate the data only
    }
    Path freshetOut = dir.resolve("freshet-out.parquet");
    Path duckOut = dir.resolve("duckdb-out.parquet");
    List<String> selections = FEATURES.stream().map(f -> "bench_view:" + f).toList();
    double bestFreshet = Double.MAX_VALUE;
    double bestDuck = Double.MAX_VALUE;
    for (int run = 0; run < runs; run++) {
      long t = System.nanoTime();
      long t0 = t;
      TrainingSet.builder()
          .catalog(catalog, "freshet")
          .spec(spec)
          .spine(spine)
          .select(selections.toArray(String[]::new))
          .output(freshetOut)
          .progress(line -> System.err.printf("  [%.2f s] %s%n", secs(t0), line))
          .build()
          .run();
      double f = secs(t);
      t = System.nanoTime();
      duckdb(spine, files, duckOut);
      double d = secs(t);
      System.out.printf(
          "run %d: freshet %.2f s (%,.0f rows/s), duckdb %.2f s (%,.0f rows/s), ratio %.2f%n",
          run + 1, f, spineRows / f, d, spineRows / d, f / d);
      bestFreshet = Math.min(bestFreshet, f);
      bestDuck = Math.min(bestDuck, d);
    }
    long differences = compare(freshetOut, duckOut);
    System.out.printf(
        "best: freshet %.2f s (%,.0f rows/s), duckdb %.2f s (%,.0f rows/s), freshet/duckdb %.2f;"
            + " differing cells: %d%n",
        bestFreshet,
        spineRows / bestFreshet,
        bestDuck,
        spineRows / bestDuck,
        bestFreshet / bestDuck,
        differences);
    if (differences != 0) {
      System.exit(1);
    }
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * Per entity 50 updates with increasing valid_from over about 30 days; 10% null values. The rows
   * are made as the appender asks for them, so the history is never held.
   */
  private static void writeHistory(Table table, long rows, int entities) {
    Random rnd = new Random(42);
    long[] clock = new long[entities];
    for (int e = 0; e < entities; e++) {
      clock[e] = T0 + rnd.nextInt(86_400_000);
    }
    org.apache.iceberg.data.GenericRecord template =
        org.apache.iceberg.data.GenericRecord.create(table.schema());
    String[] countries = {"FR", "DE", "NL", "US", "ES", "IT", "BE", "PL"};
    Iterator<Record> generated =
        new Iterator<>() {
          long i;

          @Override
          public boolean hasNext() {
            return i < rows;
          }

          @Override
          public Record next() {
            int e = (int) (i++ % entities);
            clock[e] += 1 + rnd.nextInt(3_600_000 * 20);
            long vf = clock[e];
            Record r = template.copy();
            r.set(0, "customer-" + e);
            r.set(1, Instant.ofEpochMilli(vf).atOffset(ZoneOffset.UTC));
            r.set(2, Instant.ofEpochMilli(vf - rnd.nextInt(60_000)).atOffset(ZoneOffset.UTC));
            r.set(3, Instant.ofEpochMilli(vf + 50).atOffset(ZoneOffset.UTC));
            r.set(4, "bench");
            r.set(5, false);
            r.set(6, 0);
            for (int f = 0; f < 7; f++) {
              Object v;
              if (rnd.nextInt(10) == 0) {
                v = null;
              } else if (f < 3) {
                v = (long) rnd.nextInt(500);
              } else if (f < 6) {
                v = rnd.nextInt(10_000_000) / 100.0;
              } else {
                v = countries[rnd.nextInt(countries.length)];
              }
              r.set(7 + f, v);
            }
            return r;
          }
        };
    HistoryAppender.append(table, () -> generated);
  }

  private static void writeSpine(Path file, long rows, int entities) throws Exception {
    Schema ts = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
    Schema schema =
        SchemaBuilder.record("spine")
            .fields()
            .requiredString("entity")
            .name("timestamp")
            .type(ts)
            .noDefault()
            .requiredInt("label")
            .endRecord();
    Random rnd = new Random(7);
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(schema)
            .withDataModel(GenericData.get())
            .build()) {
      for (long i = 0; i < rows; i++) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put(0, "customer-" + rnd.nextInt(entities + entities / 20));
        r.put(1, T0 - 86_400_000L + (long) (rnd.nextDouble() * 45 * 86_400_000L));
        r.put(2, rnd.nextInt(2));
        w.write(r);
      }
    }
  }

  private static String featureSql(String alias) {
    StringJoiner j = new StringJoiner(", ");
    for (String f : FEATURES) {
      j.add(
          "CASE WHEN epoch_ms(s.\"timestamp\") - epoch_ms("
              + alias
              + ".last_event_time) > "
              + TTL
              + " THEN NULL ELSE "
              + alias
              + "."
              + f
              + " END AS "
              + f);
    }
    return j.toString();
  }

  private static String fileList(List<String> files) {
    StringJoiner j = new StringJoiner(", ", "[", "]");
    for (String f : files) {
      j.add("'" + f.replace("'", "''") + "'");
    }
    return j.toString();
  }

  /** DuckDB's ASOF LEFT JOIN: newest valid_from strictly before the spine time, ttl applied. */
  static void duckdb(Path spine, List<String> files, Path out) throws Exception {
    Files.deleteIfExists(out);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("SET threads = 2");
      st.execute("SET preserve_insertion_order = true");
      String sql =
          "COPY (SELECT s.* EXCLUDE (file_row_number), "
              + featureSql("h")
              + " FROM read_parquet('"
              + spine
              + "', file_row_number = true) s ASOF LEFT JOIN (SELECT entity, valid_from,"
              + " last_event_time, "
              + String.join(", ", FEATURES)
              + " FROM read_parquet("
              + fileList(files)
              + ")) h ON s.entity = h.entity AND s.\"timestamp\" > h.valid_from"
              + " ORDER BY s.file_row_number) TO '"
              + out
              + "' (FORMAT parquet)";
      st.execute(sql);
    }
  }

  /** Cells that differ between the two outputs, row by row in file order. */
  static long compare(Path a, Path b) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      StringJoiner diff = new StringJoiner(" + ");
      for (String f : List.of("entity", "label")) {
        diff.add("(x." + f + " IS DISTINCT FROM y." + f + ")::INT");
      }
      diff.add("(epoch_ms(x.\"timestamp\") IS DISTINCT FROM epoch_ms(y.\"timestamp\"))::INT");
      for (String f : FEATURES) {
        diff.add("(x." + f + " IS DISTINCT FROM y." + f + ")::INT");
      }
      String sql =
          "SELECT count(*), sum("
              + diff
              + ") FROM read_parquet('"
              + a
              + "', file_row_number = true) x FULL JOIN read_parquet('"
              + b
              + "', file_row_number = true) y ON x.file_row_number = y.file_row_number";
      try (ResultSet rs = st.executeQuery(sql)) {
        rs.next();
        System.out.printf("compared %,d rows%n", rs.getLong(1));
        return rs.getLong(2);
      }
    }
  }

  private TrainingSetBenchmark() {}
}
