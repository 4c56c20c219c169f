package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.generate.JsonEvents;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.examples.payments.Payment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProduceCommandTest {
  private static final String GOOD =
      "{\"payment_id\":\"p1\",\"customer_id\":\"c1\",\"merchant_id\":\"m1\",\"amount\":12.5,"
          + "\"currency\":\"EUR\",\"country\":\"FR\",\"event_time\":\"2026-01-01T10:00:00Z\"}";

  @TempDir Path dir;

  @Test
  void reportsEveryBadLineWithItsNumber() throws Exception {
    Path file = dir.resolve("events.jsonl");
    Files.write(
        file,
        List.of(
            GOOD, // 1
            "", // 2: blank lines are skipped
            "{not json", // 3
            GOOD.replace("\"amount\":12.5", "\"amount\":\"lots\""), // 4
            GOOD.replace(",\"country\":\"FR\"", ""), // 5: optional field left out: fine
            GOOD.replace("\"customer_id\":\"c1\",", ""), // 6: required field missing
            GOOD.replace("2026-01-01T10:00:00Z", "yesterday"), // 7
            GOOD.replace("\"currency\"", "\"curency\""), // 8: typo
            GOOD.replace("\"2026-01-01T10:00:00Z\"", "1767261600000"))); // 9: epoch millis
    ProduceCommand.Parsed parsed =
        ProduceCommand.parse(file, new JsonEvents(Payment.getClassSchema()));
    assertThat(parsed.lines()).containsExactly(1L, 5L, 9L);
    assertThat(parsed.bad())
        .extracting(ProduceCommand.BadLine::line)
        .containsExactly(3L, 4L, 6L, 7L, 8L);
    assertThat(parsed.bad().get(1).reason()).contains("field 'amount'").contains("number");
    assertThat(parsed.bad().get(2).reason()).contains("field 'customer_id'").contains("missing");
    assertThat(parsed.bad().get(3).reason()).contains("field 'event_time'").contains("ISO-8601");
    assertThat(parsed.bad().get(4).reason()).contains("unknown field 'curency'");
    GenericRecord fifth = parsed.records().get(1);
    assertThat(fifth.get("country")).isNull();
    assertThat(parsed.records().get(2).get("event_time")).isEqualTo(1767261600000L);
  }

  @Test
  void sendsNothingWhenALineIsBadUnlessSkipBad() throws Exception {
    Path file = dir.resolve("events.jsonl");
    Files.write(file, List.of(GOOD, "{\"payment_id\": 3}", GOOD));
    CliRunner cli = new CliRunner();
    // a broker that is not there: the command must fail before it tries to connect
    int code =
        cli.run(
            "produce",
            "--spec",
            "../examples/payments/payments.yaml",
            "--file",
            file.toString(),
            "--bootstrap-servers",
            "127.0.0.1:1");
    assertThat(code).isEqualTo(1);
    assertThat(cli.err())
        .contains("events.jsonl: line 2: ")
        .contains("1 bad line(s), nothing sent");
  }

  @Test
  void generatedJsonLinesReadBackAsTheSamePayments() throws Exception {
    PaymentsGenerator g =
        new PaymentsGenerator(
            PaymentsGenerator.Settings.of(500, 20, 1, 3, Instant.parse("2026-01-01T00:00:00Z"))
                .withMalformedFraction(0));
    Path file = dir.resolve("gen.jsonl");
    long n = GenerateCommand.writeJsonLines(g, file);
    ProduceCommand.Parsed parsed =
        ProduceCommand.parse(file, new JsonEvents(Payment.getClassSchema()));
    assertThat(parsed.bad()).isEmpty();
    assertThat(parsed.records()).hasSize((int) n).hasSize(500);
    JsonEvents events = new JsonEvents(Payment.getClassSchema());
    int i = 0;
    for (PaymentsGenerator.Event e : g) {
      // the JSON route encodes exactly the bytes the generator sends to Kafka directly
      assertThat(events.encode(parsed.records().get(i++)))
          .isEqualTo(io.freshet.cli.generate.KafkaPublisher.avro(e.payment()));
    }
  }
}
