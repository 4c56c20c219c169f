package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.AggregationRules.FieldKind;
import io.freshet.spec.AggregationRules.Param;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table of aggregation rules, which Aggregation's own answers come from. */
class AggregationRulesTest {

  @Test
  void fieldKinds() {
    Map<Aggregation, FieldKind> kinds = new EnumMap<>(Aggregation.class);
    for (Aggregation a : Aggregation.values()) {
      kinds.put(a, AggregationRules.of(a).field());
    }
    assertThat(kinds)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry(Aggregation.COUNT, FieldKind.NONE),
                Map.entry(Aggregation.SUM, FieldKind.NUMERIC),
                Map.entry(Aggregation.AVG, FieldKind.NUMERIC),
                Map.entry(Aggregation.MIN, FieldKind.ORDERED),
                Map.entry(Aggregation.MAX, FieldKind.ORDERED),
                Map.entry(Aggregation.FIRST, FieldKind.ANY),
                Map.entry(Aggregation.LAST, FieldKind.ANY),
                Map.entry(Aggregation.APPROX_COUNT_DISTINCT, FieldKind.ANY),
                Map.entry(Aggregation.APPROX_PERCENTILE, FieldKind.NUMERIC),
                Map.entry(Aggregation.DECAYED_SUM, FieldKind.NUMERIC),
                Map.entry(Aggregation.VARIANCE, FieldKind.NUMERIC),
                Map.entry(Aggregation.STDDEV, FieldKind.NUMERIC)));
    assertThat(Aggregation.COUNT.needsField()).isFalse();
    assertThat(Aggregation.FIRST.needsField()).isTrue();
    assertThat(Aggregation.DECAYED_SUM.needsNumericField()).isTrue();
    assertThat(Aggregation.MAX.needsOrderedField()).isTrue();
    assertThat(Aggregation.MAX.needsNumericField()).isFalse();
  }

  @Test
  void everyParameterHasAnOwner() {
    assertThat(Param.Q.owners()).isEqualTo("approx_percentile");
    assertThat(Param.HALF_LIFE.owners()).isEqualTo("decayed_sum");
    for (Param p : Param.values()) {
      assertThat(p.owners()).as(p.key).isNotEmpty();
    }
  }
}
