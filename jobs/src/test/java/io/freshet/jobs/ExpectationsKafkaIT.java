package io.freshet.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.DeadLetter;
import io.freshet.avro.FeatureUpdate;
import io.freshet.avro.Violation;
import io.freshet.connectors.iceberg.IcebergHistorySink;
import io.freshet.connectors.iceberg.IcebergOptions;
import io.freshet.connectors.iceberg.IcebergViolationSink;
import io.freshet.connectors.kafka.KafkaConnector;
import io.freshet.connectors.kafka.KafkaOptions;
import io.freshet.examples.payments.Payment;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.ViolationsTable;
import io.freshet.testing.AvroBytes;
import io.freshet.testing.FlinkMiniClusterExtension;
import io.freshet.testing.HistoryRows;
import io.freshet.testing.Payments;
import io.freshet.testing.RealServicesExtension;
import io.freshet.testing.TestServices;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In-stream expectations in the feature job on a MiniCluster (parallelism 2) reading the real Kafka
 * broker: random payments with an injected null burst, out-of-range amounts, a currency not allowed
 * (dead-lettered, as the spec says) and payments breaking a cross-field rule, and checks on a
 * feature's values (its max and null rate). The violations topic must hold exactly what a naive
 * recount per hour of event time says, of the input for the source checks and of the job's updates
 * for the feature checks: each check's failing and total records per period, and the null rate
 * against its bound; the violations table in Iceberg the same rows, column by column.
 */
@ExtendWith(RealServicesExtension.class)
class ExpectationsKafkaIT {
  @RegisterExtension static final MiniClusterExtension FLINK = FlinkMiniClusterExtension.create();

  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00Z
  private static final long HOUR = 3_600_000L;

  private static final String YAML =
      """
      source:
        name: payments
        topic: payments
        schema: payment.avsc
        entity: customer_id
        event_time: event_time
        max_out_of_orderness: 2s
        allowed_lateness: 10m
      views:
        - name: risk
          ttl: 7d
          expectation_period: 1h
          features:
            - {name: txn_count_1h, agg: count, window: 1h}
            - {name: amount_max_1h, agg: max, field: amount, window: 1h}
          feature_expectations:
            amount_max_1h: {max: 1000, max_null_rate: 0.1}
          expectations:
            amount: {min: 0, max: 1000, max_null_rate: 0.2}
            currency: {allowed: [EUR], dead_letter: true}
          rules:
            - {name: small_abroad, expr: "country != 'US' || amount < 300.0"}
      """;

  @Test
  void violationsEqualANaiveRecountOfTheInput(TestServices services) throws Exception {
    String topic = services.createTopic("expect", 2);
    FeatureSpec parsed = SpecParser.parse(Path.of("../examples/payments/expect.yaml"), YAML);
    FeatureSpec spec = FeatureJobKafkaIT.onTopic(parsed, topic, Duration.ofSeconds(30));
    SourceSpec source = spec.source();
    services.createTopic(source.deadLetterTopic().substring(services.topicPrefix().length()), 1);
    services.createTopic(source.violationsTopic().substring(services.topicPrefix().length()), 1);

    List<Payment> payments =
        new ArrayList<>(Payments.random(11, 2000, T0, Payments.skewedCustomers(30)));
    long last = Payments.latest(payments);
    // a null burst in the fourth hour, out-of-range amounts, and a currency not allowed
    for (int i = 0; i < 40; i++) {
      payments.add(payment("burst" + i, null, "EUR", "FR", T0 + 3 * HOUR + 60_000 + i * 1000));
    }
    payments.add(payment("neg", -3.0, "EUR", "FR", T0 + 5 * HOUR + 10));
    payments.add(payment("huge", 5000.0, "EUR", "NL", T0 + 7 * HOUR + 10));
    payments.add(payment("gbp", 10.0, "GBP", "GB", T0 + 9 * HOUR + 10));
    payments.sort(java.util.Comparator.comparing(Payment::getEventTime));

    Properties props = services.kafkaProperties();
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    RecordMetadata gbp = null;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (Payment p : payments) {
        RecordMetadata md =
            producer
                .send(
                    new ProducerRecord<>(topic, p.getCustomerId().getBytes(), AvroBytes.encode(p)))
                .get();
        if (p.getPaymentId().equals("gbp")) {
          gbp = md;
        }
      }
      FeatureJobKafkaIT.sendSentinels(producer, topic, 2, last + 10 * HOUR);
    }

    Configuration conf = new Configuration();
    conf.set(KafkaOptions.BOOTSTRAP_SERVERS, services.kafkaBootstrapServers());
    conf.set(KafkaOptions.STARTING_OFFSETS, "earliest");
    conf.set(KafkaOptions.BOUNDED, true);
    Path dir = Path.of("target", "expectations-it-" + UUID.randomUUID()).toAbsolutePath();
    conf.set(IcebergOptions.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"));
    conf.set(IcebergOptions.WAREHOUSE, dir.resolve("warehouse").toUri().toString());
    FeatureSinks sinks =
        new FeatureSinks() {
          @Override
          public void updates(SourceSpec src, ViewSpec view, DataStream<FeatureUpdate> u) {}

          @Override
          public void deadLetters(SourceSpec src, DataStream<DeadLetter> dead) {
            dead.sinkTo(KafkaConnector.deadLetterSink(src, conf)).uid("dead-letter-sink");
          }

          @Override
          public void violations(SourceSpec src, DataStream<Violation> found) {
            found.sinkTo(KafkaConnector.violationSink(src, conf)).uid("violation-sink");
            IcebergViolationSink.append(found, src, conf);
          }
        };
    List<FeatureUpdate> updates =
        FeatureJobKafkaIT.runToEnd(spec, conf, sinks, FeatureJobKafkaIT.pipelineConfig());

    // the naive recount: per hour of event time, every check over every payment
    Map<String, long[]> expected = new TreeMap<>(); // "rule@periodStart" -> failing, records
    Map<String, String> firstObserved = new TreeMap<>();
    for (Payment p : payments) {
      long start = Math.floorDiv(p.getEventTime().toEpochMilli(), HOUR) * HOUR;
      Double amount = p.getAmount();
      String currency = p.getCurrency();
      String country = p.getCountry();
      count(expected, firstObserved, "min", start, amount != null && amount < 0, amount);
      count(expected, firstObserved, "max", start, amount != null && amount > 1000, amount);
      count(expected, firstObserved, "max_null_rate", start, amount == null, null);
      count(
          expected,
          firstObserved,
          "allowed",
          start,
          !"EUR".equals(currency),
          "\"" + currency + "\"");
      boolean ruleBroken =
          country != null && amount != null && country.equals("US") && !(amount < 300.0);
      count(expected, firstObserved, "rule:small_abroad", start, ruleBroken, null);
    }
    // and of the feature values: per hour of valid_from, over every update the job emitted
    assertThat(updates)
        .as("no update is warming up or a correction here")
        .isNotEmpty()
        .allMatch(u -> u.getWarmingUp().isEmpty() && !u.getCorrection());
    for (FeatureUpdate u : updates) {
      long start = Math.floorDiv(u.getValidFrom(), HOUR) * HOUR;
      Double max = (Double) u.getValues().get(1);
      count(expected, firstObserved, "feature_max", start, max != null && max > 1000, max);
      count(expected, firstObserved, "feature_max_null_rate", start, max == null, null);
    }
    List<String> expectedViolations = new ArrayList<>();
    expected.forEach(
        (k, v) -> {
          double bound = k.startsWith("feature_max_null_rate@") ? 0.1 : 0.2;
          boolean nullRate = k.contains("max_null_rate@");
          if (nullRate ? v[0] / (double) v[1] > bound : v[0] > 0) {
            expectedViolations.add(k + " " + v[0] + "/" + v[1]);
          }
        });
    assertThat(expectedViolations)
        .as("the input breaks each check")
        .anyMatch(s -> s.startsWith("min@"))
        .anyMatch(s -> s.startsWith("max@"))
        .anyMatch(s -> s.startsWith("allowed@"))
        .anyMatch(s -> s.startsWith("max_null_rate@"))
        .anyMatch(s -> s.startsWith("rule:small_abroad@"))
        .anyMatch(s -> s.startsWith("feature_max@"))
        .anyMatch(s -> s.startsWith("feature_max_null_rate@"));

    List<Violation> violations =
        FeatureJobKafkaIT.readAll(
            services, source.violationsTopic(), expectedViolations.size(), Violation.class);
    violations.forEach(v -> System.out.println("violation: " + v));
    List<String> actual =
        violations.stream()
            .map(
                v ->
                    v.getRule()
                        + "@"
                        + v.getPeriodStart()
                        + " "
                        + v.getViolations()
                        + "/"
                        + v.getRecords())
            .sorted()
            .toList();
    assertThat(actual).isEqualTo(expectedViolations.stream().sorted().toList());
    for (Violation v : violations) {
      assertThat(v.getPeriodEnd()).isEqualTo(v.getPeriodStart() + HOUR);
      assertThat(v.getSource()).isEqualTo("payments");
      assertThat(v.getView()).isEqualTo("risk");
      if (v.getRule().startsWith("feature_")) {
        assertThat(v.getField()).isEqualTo("amount_max_1h");
        assertThat(v.getSamples())
            .isNotEmpty()
            .allMatch(s -> s.toString().matches("entity=.* valid_from=\\d+ revision=\\d+ .*"));
      } else {
        assertThat(v.getSamples())
            .isNotEmpty()
            .allMatch(s -> s.toString().matches("\\d+:\\d+ entity=.*"));
      }
      if (v.getRule().endsWith("max_null_rate")) {
        assertThat(v.getObserved())
            .isEqualTo(
                String.format(
                    Locale.ROOT,
                    "null rate %.4f (%d of %d)",
                    v.getViolations() / (double) v.getRecords(),
                    v.getViolations(),
                    v.getRecords()));
      }
    }
    assertThat(
            violations.stream()
                .filter(v -> v.getRule().equals("min"))
                .findFirst()
                .orElseThrow()
                .getObserved())
        .isEqualTo("-3.0");
    assertThat(
            violations.stream()
                .filter(v -> v.getRule().equals("feature_max"))
                .findFirst()
                .orElseThrow()
                .getObserved())
        .isEqualTo("5000.0");

    // the violations table holds the same violations, column by column
    Table table =
        HistoryCatalogs.load(
                conf.get(IcebergOptions.CATALOG_NAME), IcebergHistorySink.catalogProperties(conf))
            .loadTable(ViolationsTable.identifier(conf.get(IcebergOptions.NAMESPACE)));
    List<String> rows =
        HistoryRows.read(table).stream()
            .map(
                r ->
                    String.join(
                        " | ",
                        String.valueOf(r.getField("source")),
                        String.valueOf(r.getField("view")),
                        String.valueOf(r.getField("field")),
                        String.valueOf(r.getField("rule")),
                        String.valueOf(r.getField("expected")),
                        String.valueOf(r.getField("observed")),
                        String.valueOf(r.getField("violations")),
                        String.valueOf(r.getField("records")),
                        String.valueOf(millis(r.getField("period_start"))),
                        String.valueOf(millis(r.getField("period_end"))),
                        String.valueOf(r.getField("samples")),
                        String.valueOf(millis(r.getField("detected_at")))))
            .sorted()
            .toList();
    List<String> inTopic =
        violations.stream()
            .map(
                v ->
                    String.join(
                        " | ",
                        String.valueOf(v.getSource()),
                        String.valueOf(v.getView()),
                        String.valueOf(v.getField()),
                        String.valueOf(v.getRule()),
                        String.valueOf(v.getExpected()),
                        String.valueOf(v.getObserved()),
                        String.valueOf(v.getViolations()),
                        String.valueOf(v.getRecords()),
                        String.valueOf(v.getPeriodStart()),
                        String.valueOf(v.getPeriodEnd()),
                        String.valueOf(v.getSamples().stream().map(Object::toString).toList()),
                        String.valueOf(v.getDetectedAt())))
            .sorted()
            .toList();
    assertThat(rows).hasSize(expectedViolations.size()).isEqualTo(inTopic);

    // the GBP payment was dead-lettered where it was read; nothing else was
    List<DeadLetter> dead = FeatureJobKafkaIT.readAll(services, source.deadLetterTopic(), 1);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).getReasonCode()).isEqualTo("EXPECTATION");
    assertThat(dead.get(0).getPartition()).isEqualTo(gbp.partition());
    assertThat(dead.get(0).getOffset()).isEqualTo(gbp.offset());
  }

  private static void count(
      Map<String, long[]> expected,
      Map<String, String> first,
      String rule,
      long start,
      boolean failing,
      Object observed) {
    long[] c = expected.computeIfAbsent(rule + "@" + start, k -> new long[2]);
    c[1]++;
    if (failing) {
      c[0]++;
      first.putIfAbsent(rule + "@" + start, String.valueOf(observed));
    }
  }

  private static long millis(Object timestamptz) {
    return ((OffsetDateTime) timestamptz).toInstant().toEpochMilli();
  }

  private static Payment payment(
      String id, Double amount, String currency, String country, long ts) {
    return new Payment(id, "c-" + id, "m1", amount, currency, country, Instant.ofEpochMilli(ts));
  }
}
