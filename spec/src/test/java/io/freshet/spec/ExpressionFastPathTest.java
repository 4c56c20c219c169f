package io.freshet.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The plain Java nodes {@link ConditionTree} makes of CEL's checked tree give what CEL's own
 * interpreter gives: every expression of the subset, over random inputs with the edge values of
 * each type (NaN, infinities, -0.0, the longs' extremes and 2^53, strings with accents and emoji),
 * the same value or the same failure; expressions outside the subset stay with CEL.
 */
class ExpressionFastPathTest {
  private static final Map<String, ValueType> INPUTS = new LinkedHashMap<>();

  static {
    INPUTS.put("a", ValueType.LONG);
    INPUTS.put("b", ValueType.LONG);
    INPUTS.put("x", ValueType.DOUBLE);
    INPUTS.put("y", ValueType.DOUBLE);
    INPUTS.put("s", ValueType.STRING);
    INPUTS.put("t", ValueType.STRING);
    INPUTS.put("f", ValueType.BOOLEAN);
    INPUTS.put("g", ValueType.BOOLEAN);
  }

  private static final List<String> IN_SUBSET =
      List.of(
          "x < 300.0",
          "x < 300",
          "300 < x",
          "x <= y",
          "x > y",
          "x >= -1",
          "x == y",
          "x != y",
          "x < 9007199254740992",
          "a < b",
          "a <= 3",
          "a == b",
          "a != 5",
          "a > b",
          "a >= b",
          "s == t",
          "s != 'US'",
          "'US' == s",
          "f == g",
          "f != true",
          "!f",
          "f && g",
          "f || g",
          "!(f && x > y) || a == b",
          "s != 'US' || x < 300.0",
          "s == 'US' && (x >= 10.5 || a < 0)",
          "a > 0 ? x < y : s == t",
          "a > 0 ? x : y",
          "f ? s : t",
          "f ? a : b",
          "true",
          "x");

  private static final List<String> LEFT_TO_CEL =
      List.of(
          "x < 9007199254740993",
          "a < x",
          "s < t",
          "x + 1.0 > y",
          "size(s) > 2",
          "s.startsWith('U')",
          "a / b > 1",
          "a in [1, 2]");

  private static final double[] DOUBLES = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    -0.0,
    0.0,
    2.0,
    300.0,
    299.99999999999994,
    10.5,
    -1.0,
    9007199254740992.0,
    Double.MAX_VALUE,
    Double.MIN_VALUE
  };

  private static final long[] LONGS = {
    Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1, 3, 5, 1L << 53, (1L << 53) + 1
  };

  private static final String[] STRINGS = {"US", "FR", "", "é", "e\u0301", "😀", "ﬃ", "us"};

  @Test
  void theNodesGiveWhatCelGivesOnRandomInputs() throws Exception {
    Random random = new Random(20261203);
    for (String text : IN_SUBSET) {
      Expression nodes = Expression.compile(text, INPUTS);
      assertThat(nodes.evaluatedByNodes()).as("%s is in the subset", text).isTrue();
      Expression cel = nodes.celOnly();
      assertThat(cel.evaluatedByNodes()).isFalse();
      for (int i = 0; i < 3_000; i++) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put(
            "a",
            random.nextBoolean() ? LONGS[random.nextInt(LONGS.length)] : random.nextLong(-9, 9));
        in.put(
            "b",
            random.nextBoolean() ? LONGS[random.nextInt(LONGS.length)] : random.nextLong(-9, 9));
        in.put("x", randomDouble(random));
        in.put("y", randomDouble(random));
        in.put("s", STRINGS[random.nextInt(STRINGS.length)]);
        in.put("t", STRINGS[random.nextInt(STRINGS.length)]);
        in.put("f", random.nextBoolean());
        in.put("g", random.nextBoolean());
        assertThat(outcome(nodes, in)).as("%s over %s", text, in).isEqualTo(outcome(cel, in));
      }
    }
  }

  @Test
  void everythingElseStaysWithCel() throws Exception {
    for (String text : LEFT_TO_CEL) {
      assertThat(Expression.compile(text, INPUTS).evaluatedByNodes())
          .as("%s is left to CEL", text)
          .isFalse();
    }
  }

  private static double randomDouble(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> DOUBLES[random.nextInt(DOUBLES.length)];
      case 1 -> random.nextInt(600) - 100.0;
      default -> (random.nextDouble() - 0.5) * 1e6;
    };
  }

  /** The value, or the failure as text, or the exception's class. */
  private static Object outcome(Expression e, Map<String, Object> in) {
    List<Object> out = new ArrayList<>();
    try {
      Object v = e.evaluate(in);
      out.add(v == null ? "null" : v.getClass().getSimpleName() + ":" + v);
    } catch (Expression.Failure f) {
      out.add("failure");
    } catch (RuntimeException r) {
      out.add(r.getClass().getName());
    }
    return out;
  }
}
