package io.freshet.operators;

import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.Tiles;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.List;
import org.apache.avro.Schema;

/** Small specs built in code, so engine tests do not depend on the YAML parser. */
public final class TestSpecs {
  private TestSpecs() {}

  public static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type":"record","name":"Txn","namespace":"test","fields":[
                {"name":"user","type":"string"},
                {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
                {"name":"amount","type":["null","double"],"default":null},
                {"name":"qty","type":"long"},
                {"name":"merchant","type":"string"},
                {"name":"flag","type":"boolean"}]}
              """);

  public static FeatureDef windowed(
      String name, Aggregation agg, String field, ValueType type, Duration window) {
    return new FeatureDef(name, agg, field, type, window, Tiles.defaultTile(window), null, null);
  }

  public static FeatureDef lifetime(String name, Aggregation agg, String field, ValueType type) {
    return new FeatureDef(name, agg, field, type, null, null, null, null);
  }

  public static SourceSpec source(Duration outOfOrder, Duration lateness) {
    return new SourceSpec(
        "txns",
        "txns",
        "txn.avsc",
        SCHEMA,
        "user",
        "ts",
        outOfOrder,
        lateness,
        Duration.ofSeconds(30));
  }

  /** A view exercising every aggregation, windowed and lifetime. */
  public static FeatureSpec everyAggregation(Duration ttl, Duration lateness) {
    Duration m10 = Duration.ofMinutes(10);
    Duration h1 = Duration.ofHours(1);
    Duration d1 = Duration.ofDays(1);
    List<FeatureDef> features =
        List.of(
            windowed("cnt_10m", Aggregation.COUNT, null, ValueType.LONG, m10),
            windowed("amount_sum_1h", Aggregation.SUM, "amount", ValueType.DOUBLE, h1),
            windowed("qty_sum_10m", Aggregation.SUM, "qty", ValueType.LONG, m10),
            windowed("amount_avg_1h", Aggregation.AVG, "amount", ValueType.DOUBLE, h1),
            windowed("amount_min_10m", Aggregation.MIN, "amount", ValueType.DOUBLE, m10),
            windowed("amount_max_24h", Aggregation.MAX, "amount", ValueType.DOUBLE, d1),
            windowed("qty_max_1h", Aggregation.MAX, "qty", ValueType.LONG, h1),
            windowed("merchant_first_1h", Aggregation.FIRST, "merchant", ValueType.STRING, h1),
            windowed("flag_last_10m", Aggregation.LAST, "flag", ValueType.BOOLEAN, m10),
            windowed(
                "merchants_1h",
                Aggregation.APPROX_COUNT_DISTINCT,
                "merchant",
                ValueType.STRING,
                h1),
            new FeatureDef(
                "amount_p90_1h",
                Aggregation.APPROX_PERCENTILE,
                "amount",
                ValueType.DOUBLE,
                h1,
                Tiles.defaultTile(h1),
                0.9,
                null),
            new FeatureDef(
                "amount_decay_1h",
                Aggregation.DECAYED_SUM,
                "amount",
                ValueType.DOUBLE,
                h1,
                Tiles.defaultTile(h1),
                null,
                Duration.ofMinutes(30)),
            windowed("amount_var_1h", Aggregation.VARIANCE, "amount", ValueType.DOUBLE, h1),
            windowed("qty_stddev_10m", Aggregation.STDDEV, "qty", ValueType.LONG, m10),
            lifetime("cnt_life", Aggregation.COUNT, null, ValueType.LONG),
            lifetime("amount_stddev_life", Aggregation.STDDEV, "amount", ValueType.DOUBLE),
            lifetime("qty_var_life", Aggregation.VARIANCE, "qty", ValueType.LONG),
            lifetime("merchant_last", Aggregation.LAST, "merchant", ValueType.STRING),
            new FeatureDef(
                "amount_decay_life",
                Aggregation.DECAYED_SUM,
                "amount",
                ValueType.DOUBLE,
                null,
                null,
                null,
                Duration.ofHours(2)));
    ViewSpec view = new ViewSpec("user_txns", ttl, null, features, List.of());
    return new FeatureSpec(null, source(Duration.ofSeconds(2), lateness), List.of(view));
  }

  /** A single-feature view: a count over {@code window} with tile {@code tile}. */
  public static FeatureSpec countOnly(Duration window, Duration tile, Duration ttl) {
    FeatureDef f =
        new FeatureDef("cnt", Aggregation.COUNT, null, ValueType.LONG, window, tile, null, null);
    ViewSpec view = new ViewSpec("counts", ttl, tile, List.of(f), List.of());
    return new FeatureSpec(null, source(Duration.ZERO, Duration.ofMinutes(5)), List.of(view));
  }
}
