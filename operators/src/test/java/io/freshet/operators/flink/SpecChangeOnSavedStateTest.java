package io.freshet.operators.flink;

import static io.freshet.operators.TestSpecs.lifetime;
import static io.freshet.operators.TestSpecs.windowed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.avro.FeatureUpdate;
import io.freshet.operators.TestSpecs;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.Aggregation;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.Tiles;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.OracleAsserts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saved state restored under a changed spec is matched to it by feature name and definition, never
 * by position: reordered and kept features continue exactly (equal to the naive oracle over all
 * events), a removed feature is dropped (with the source field only it read), an added feature
 * reads null until its window (plus a tile) has passed since the state it joined was last evaluated
 * and exactly the oracle's value after, and a changed definition under the same name is refused
 * with a message that says what to do. On heap state (adopted as read) and on RocksDB (migrated at
 * the restore).
 */
class SpecChangeOnSavedStateTest {
  private static final Duration H1 = Duration.ofHours(1);
  private static final long TTL = Duration.ofHours(30).toMillis();
  private static final long T0 = 1_767_225_600_000L;

  private static final FeatureDef CNT =
      windowed("cnt_1h", Aggregation.COUNT, null, ValueType.LONG, H1);
  private static final FeatureDef SUM =
      windowed("amount_sum_1h", Aggregation.SUM, "amount", ValueType.DOUBLE, H1);
  private static final FeatureDef QTY =
      windowed("qty_max_1h", Aggregation.MAX, "qty", ValueType.LONG, H1);
  private static final FeatureDef LAST =
      lifetime("merchant_last", Aggregation.LAST, "merchant", ValueType.STRING);
  private static final FeatureDef ADDED =
      windowed("amount_max_1h", Aggregation.MAX, "amount", ValueType.DOUBLE, H1);

  private static FeatureSpec spec(List<FeatureDef> features) {
    ViewSpec view = new ViewSpec("user_txns", Duration.ofMillis(TTL), null, features, List.of());
    return new FeatureSpec(
        null, TestSpecs.source(Duration.ofSeconds(2), Duration.ofMinutes(5)), List.of(view));
  }

  /** One event: its entity, time and the value of every source field either spec reads. */
  private record Event(String entity, long ts, Map<String, Object> values) {
    Object[] valuesFor(SourceFields fields) {
      return fields.names().stream().map(values::get).toArray();
    }
  }

  private static List<Event> events(Random r, int n) {
    List<Event> out = new ArrayList<>();
    long clock = T0;
    for (int i = 0; i < n; i++) {
      clock += r.nextInt(90_000);
      Map<String, Object> v = new HashMap<>();
      v.put("amount", r.nextInt(15) == 0 ? null : r.nextInt(100_000) / 100.0);
      v.put("qty", (long) r.nextInt(10));
      v.put("merchant", "m" + r.nextInt(30));
      out.add(new Event("u" + r.nextInt(25), clock - r.nextInt(1500), v));
    }
    return out;
  }

  /** Feeds events, with a watermark 2 s behind the newest every few events. */
  private static long feed(Harness h, List<Event> events, long watermark) throws Exception {
    long max = watermark;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      h.event(e.entity(), e.ts(), e.valuesFor(h.fields));
      max = Math.max(max, e.ts());
      if (i % 5 == 4 && max - 2001 > watermark) {
        watermark = max - 2001;
        h.watermark(watermark);
      }
    }
    return watermark;
  }

  @ParameterizedTest(name = "RocksDB {0}")
  @ValueSource(booleans = {false, true})
  void reorderedRemovedAndAddedFeaturesAreMatchedByName(boolean rocksdb) throws Exception {
    FeatureSpec before = spec(List.of(CNT, SUM, QTY, LAST));
    // reordered, qty_max_1h (and with it the qty field) removed, amount_max_1h added
    FeatureSpec after = spec(List.of(LAST, SUM, ADDED, CNT));
    List<Event> events = events(new Random(3), 4000);
    List<Event> first = events.subList(0, 2000);
    List<Event> second = events.subList(2000, events.size());

    OperatorSubtaskState saved;
    long savedAt;
    Map<String, Long> lastBefore = new HashMap<>();
    try (Harness h = new Harness(before, null, rocksdb)) {
      savedAt = feed(h, first, Long.MIN_VALUE);
      for (FeatureUpdate u : h.take()) {
        lastBefore.merge(u.getEntity(), u.getValidFrom(), Math::max);
      }
      saved = h.snapshot();
    }
    List<FeatureUpdate> updates;
    try (Harness h = new Harness(after, saved, rocksdb)) {
      long w = feed(h, second, savedAt);
      h.watermark(w + 3 * H1.toMillis());
      updates = h.take();
    }
    assertThat(updates).hasSizeGreaterThan(2000);

    ViewSpec view = after.views().get(0);
    SourceFields fields = SourceFields.of(after);
    NaiveOracle oracle = new NaiveOracle(view, fields);
    Map<String, List<NaiveOracle.Event>> byEntity = new HashMap<>();
    for (Event e : events) {
      byEntity
          .computeIfAbsent(e.entity(), k -> new ArrayList<>())
          .add(new NaiveOracle.Event(e.ts(), java.util.Arrays.asList(e.valuesFor(fields))));
    }
    int added = view.indexOf(ADDED.name());
    long warmUp = H1.toMillis() + Tiles.defaultTile(H1).toMillis();
    int warming = 0;
    int warmed = 0;
    for (FeatureUpdate u : updates) {
      Object[] expected = oracle.vector(byEntity.get(u.getEntity()), u.getValidFrom());
      for (int i = 0; i < expected.length; i++) {
        String what =
            view.features().get(i).name() + " of " + u.getEntity() + " at " + u.getValidFrom();
        Object actual = u.getValues().get(i);
        if (i != added) {
          OracleAsserts.assertSameTight(what, actual, expected[i]);
          continue;
        }
        Long had = lastBefore.get(u.getEntity());
        if (had != null && u.getValidFrom() < had + warmUp) {
          assertThat(actual).as(what + " (warming up)").isNull();
          assertThat(u.getWarmingUp())
              .as(what + " listed as warming up")
              .containsExactly(ADDED.name());
          warming++;
        } else if (had == null || u.getValidFrom() >= savedAt + warmUp) {
          OracleAsserts.assertSameTight(what + " (warmed up)", actual, expected[i]);
          assertThat(u.getWarmingUp()).as(what + " no longer warming up").isEmpty();
          warmed++;
        }
      }
    }
    assertThat(warming).as("updates of entities still warming up").isPositive();
    assertThat(warmed).as("updates after the warm-up").isPositive();
    // the watermark ends past every warm-up: each entity's newest update says so, even where the
    // added feature is still null (the end of a warm-up is an update of its own)
    Map<String, FeatureUpdate> newest = new HashMap<>();
    for (FeatureUpdate u : updates) {
      newest.merge(u.getEntity(), u, (a, b) -> b.getValidFrom() >= a.getValidFrom() ? b : a);
    }
    assertThat(newest.values())
        .as("newest update of each entity")
        .allSatisfy(u -> assertThat(u.getWarmingUp()).as(u.getEntity()).isEmpty());
  }

  @ParameterizedTest(name = "RocksDB {0}")
  @ValueSource(booleans = {false, true})
  void theEndOfAWarmUpIsAnUpdateEvenWhereTheValueStaysNull(boolean rocksdb) throws Exception {
    Map<String, Object> v = new HashMap<>();
    v.put("amount", 12.5);
    v.put("qty", 1L);
    v.put("merchant", "m1");
    OperatorSubtaskState saved;
    try (Harness h = new Harness(spec(List.of(CNT)), null, rocksdb)) {
      Event e = new Event("quiet", T0, v);
      h.event("quiet", T0, e.valuesFor(h.fields));
      h.watermark(T0 + 10_000);
      h.take();
      saved = h.snapshot();
    }
    List<FeatureUpdate> after;
    try (Harness h = new Harness(spec(List.of(CNT, ADDED)), saved, rocksdb)) {
      h.watermark(T0 + 3 * H1.toMillis());
      after = h.take();
    }
    // the count's window exit (1 -> 0) while the added max warms up, then the warm-up's end: the
    // max over the last hour is null either way, but the vector no longer says it is warming
    assertThat(after).extracting(FeatureUpdate::getWarmingUp).last().asList().isEmpty();
    assertThat(after)
        .extracting(FeatureUpdate::getWarmingUp)
        .first()
        .asList()
        .containsExactly(ADDED.name());
    assertThat(after.get(after.size() - 1).getValues()).containsExactly(0L, null);
  }

  @ParameterizedTest(name = "RocksDB {0}")
  @ValueSource(booleans = {false, true})
  void aChangedDefinitionUnderTheSameNameIsRefused(boolean rocksdb) throws Exception {
    OperatorSubtaskState saved;
    try (Harness h = new Harness(spec(List.of(CNT, SUM)), null, rocksdb)) {
      feed(h, events(new Random(5), 300), Long.MIN_VALUE);
      saved = h.snapshot();
    }
    FeatureDef longer =
        windowed("amount_sum_1h", Aggregation.SUM, "amount", ValueType.DOUBLE, Duration.ofHours(2));
    assertThatThrownBy(
            () -> {
              try (Harness h = new Harness(spec(List.of(CNT, longer)), saved, rocksdb)) {
                h.watermark(T0 + 10 * H1.toMillis());
                h.take();
              }
            })
        .hasStackTraceContaining("feature amount_sum_1h of view user_txns")
        .hasStackTraceContaining("a changed definition is a new feature. Give it a new name");
  }
}
