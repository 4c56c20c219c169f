package io.freshet.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The Flink SQL baseline: the benchmark view's 8 features per event, written as a Flink SQL user
 * would. Flink allows one OVER window per SELECT, so each of the 4 windows is its own OVER
 * aggregation (partitioned by customer, RANGE over the row time), and the 4 results are joined back
 * per event on its id with zero-width interval joins (state is dropped as the watermark passes).
 *
 * <pre>
 *  payments ─┬─► OVER 10m: count, sum ──────┐
 *            ├─► OVER 1h:  count, sum ──────┼─► interval join on event_id ─► Probe ─► discard
 *            ├─► OVER 24h: count, sum, max ─┤
 *            └─► OVER 7d:  avg ─────────────┘
 * </pre>
 *
 * <p>The aggregate lists of the windows differ on purpose (COUNT(event_id) vs COUNT(*) vs
 * COUNT(customer_id), all equal since neither column is null): PLATFORM-NOTES records the planner
 * computing two OVER windows with identical aggregate lists over the same range. The run's sampled
 * output is checked against a naive recomputation either way.
 */
final class SqlBaseline {
  private SqlBaseline() {}

  /** Feature columns in the order of the benchmark view's features. */
  static final List<String> FEATURES =
      List.of(
          "txn_count_10m",
          "amount_sum_10m",
          "txn_count_1h",
          "amount_sum_1h",
          "txn_count_24h",
          "amount_sum_24h",
          "amount_max_24h",
          "amount_avg_7d");

  /** The window (in minutes) of each feature column, in {@link #FEATURES} order. */
  static final long[] WINDOW_MINUTES = {10, 10, 60, 60, 1440, 1440, 1440, 10080};

  static String over(String window) {
    return "WINDOW w AS (PARTITION BY customer_id ORDER BY rowtime"
        + " RANGE BETWEEN INTERVAL "
        + window
        + " PRECEDING AND CURRENT ROW)";
  }

  static final String W10M =
      "SELECT event_id, customer_id, event_ms, rowtime,"
          + " COUNT(event_id) OVER w AS txn_count_10m, SUM(amount) OVER w AS amount_sum_10m"
          + " FROM payments "
          + over("'10' MINUTE");
  static final String W1H =
      "SELECT event_id, rowtime,"
          + " COUNT(*) OVER w AS txn_count_1h, SUM(amount) OVER w AS amount_sum_1h"
          + " FROM payments "
          + over("'1' HOUR");
  static final String W24H =
      "SELECT event_id, rowtime,"
          + " COUNT(customer_id) OVER w AS txn_count_24h, SUM(amount) OVER w AS amount_sum_24h,"
          + " MAX(amount) OVER w AS amount_max_24h"
          + " FROM payments "
          + over("'1' DAY");
  static final String W7D =
      "SELECT event_id, rowtime, AVG(amount) OVER w AS amount_avg_7d FROM payments "
          + over("'7' DAY");
  static final String JOINED =
      "SELECT a.event_id, a.customer_id, a.event_ms,"
          + " a.txn_count_10m, a.amount_sum_10m, b.txn_count_1h, b.amount_sum_1h,"
          + " c.txn_count_24h, c.amount_sum_24h, c.amount_max_24h, d.amount_avg_7d"
          + " FROM w10m a"
          + " JOIN w1h b ON a.event_id = b.event_id AND b.rowtime BETWEEN a.rowtime AND a.rowtime"
          + " JOIN w24h c ON a.event_id = c.event_id AND c.rowtime BETWEEN a.rowtime AND a.rowtime"
          + " JOIN w7d d ON a.event_id = d.event_id AND d.rowtime BETWEEN a.rowtime AND a.rowtime";

  static RunResult run(
      PaymentGenerator gen, Duration maxOutOfOrderness, Configuration conf, int sampleEvery)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
    StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
    build(env, tEnv, gen, maxOutOfOrderness, sampleEvery);
    long start = System.nanoTime();
    JobExecutionResult result = env.execute("sql baseline");
    long wall = (System.nanoTime() - start) / 1_000_000;
    Long rows = result.getAccumulatorResult("rows." + Probe.COUNT);
    return RunResult.complete(
        gen.events(),
        result.getNetRuntime(),
        wall,
        rows == null ? 0 : rows,
        0,
        new ArrayList<>(result.<List<Probe.Sample>>getAccumulatorResult("rows." + Probe.SAMPLES)));
  }

  static void build(
      StreamExecutionEnvironment env,
      StreamTableEnvironment tEnv,
      PaymentGenerator gen,
      Duration maxOutOfOrderness,
      int sampleEvery) {
    DataStream<Row> rows =
        env.fromSource(
                new DataGeneratorSource<>(
                    new GeneratedPayments.AsRow(gen), gen.events(), GeneratedPayments.ROW_TYPE),
                WatermarkStrategy.<Row>forBoundedOutOfOrderness(maxOutOfOrderness)
                    .withTimestampAssigner((r, ts) -> (Long) r.getField(3)),
                "generated payments")
            .uid("bench-sql-source");
    Table payments =
        tEnv.fromDataStream(
            rows,
            Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build());
    tEnv.createTemporaryView("payments", payments);
    tEnv.createTemporaryView("w10m", tEnv.sqlQuery(W10M));
    tEnv.createTemporaryView("w1h", tEnv.sqlQuery(W1H));
    tEnv.createTemporaryView("w24h", tEnv.sqlQuery(W24H));
    tEnv.createTemporaryView("w7d", tEnv.sqlQuery(W7D));
    Table joined = tEnv.sqlQuery(JOINED);
    tEnv.toDataStream(joined)
        .process(new Probe.Rows("rows", sampleEvery), Types.VOID)
        .uid("bench-sql-probe")
        .name("count and sample")
        .sinkTo(new DiscardingSink<>())
        .uid("bench-sql-discard");
  }

  /** The statements, for the report. */
  static String explainSql() {
    return String.join(";\n", W10M, W1H, W24H, W7D, JOINED);
  }
}
