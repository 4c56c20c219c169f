package io.freshet.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.CheckPartial;
import io.freshet.avro.Violation;
import io.freshet.operators.features.Expectations;
import io.freshet.spec.SourceSpec;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/** The violation judge in a harness, fed by checking operators' harnesses as the job wires them. */
final class ViolationJudgeHarness {
  private ViolationJudgeHarness() {}

  /** The judge keyed by check, opened at processing time 0. */
  static KeyedOneInputStreamOperatorTestHarness<String, CheckPartial, Violation> judge(
      SourceSpec source, Expectations checks) throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ViolationJudge(source, checks)),
            p -> p.getCheck().toString(),
            Types.STRING);
    h.setProcessingTime(0);
    h.open();
    return h;
  }

  /** Gives each checking operator the watermark, moves their partials to the judge, then it. */
  static <T> void forward(
      List<OneInputStreamOperatorTestHarness<T, T>> checkers,
      KeyedOneInputStreamOperatorTestHarness<String, CheckPartial, Violation> judge,
      long watermark)
      throws Exception {
    for (var c : checkers) {
      c.processWatermark(watermark);
      var partials = c.getSideOutput(ExpectationOperator.PARTIALS);
      if (partials != null) {
        for (StreamRecord<CheckPartial> p : partials) {
          judge.processElement(p);
        }
        partials.clear();
      }
    }
    judge.processWatermark(watermark);
  }

  /** The one violation of a rule among {@code vs}. */
  static Violation only(List<Violation> vs, String rule) {
    List<Violation> of = vs.stream().filter(v -> v.getRule().equals(rule)).toList();
    assertThat(of).as("violations of %s among %s", rule, vs).hasSize(1);
    return of.get(0);
  }
}
