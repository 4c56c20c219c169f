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
            Map.of(
                Aggregation.COUNT, FieldKind.NONE,
                Aggregation.SUM, FieldKind.NUMERIC,
                Aggregation.AVG, FieldKind.NUMERIC,
                Aggregation.MIN, FieldKind.ORDERED,
                Aggregation.MAX, FieldKind.ORDERED,
                Aggregation.FIRST, FieldKind.ANY,
                Aggregation.LAST, FieldKind.ANY,
                Aggregation.APPROX_COUNT_DISTINCT, FieldKind.ANY,
                Aggregation.APPROX_PERCENTILE, FieldKind.NUMERIC,
                Aggregation.DECAYED_SUM, FieldKind.NUMERIC));
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
