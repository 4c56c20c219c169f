package io.freshet.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;

/** The source's consumer settings: Freshet's defaults, overridden by freshet.kafka.consumer.*. */
class KafkaConnectorTest {
  private static final FeatureSpec SPEC =
      SpecParser.parse(Path.of("../examples/payments/payments.yaml"));

  @Test
  void theConsumerGetsFreshetsFetchDefaultsAndAnyConsumerSettingGiven() throws Exception {
    Properties defaults = consumer(new Configuration());
    assertThat(defaults.getProperty("fetch.min.bytes")).isEqualTo("65536");
    assertThat(defaults.getProperty("fetch.max.wait.ms")).isEqualTo("20");
    assertThat(defaults.getProperty("group.id")).isEqualTo("freshet-payments");
    // transactional producers: only committed records (Kafka's own default reads aborted ones)
    assertThat(defaults.getProperty("isolation.level")).isEqualTo("read_committed");

    Configuration conf = new Configuration();
    conf.setString("freshet.kafka.consumer.fetch.max.wait.ms", "500");
    conf.setString("freshet.kafka.consumer.isolation.level", "read_uncommitted");
    conf.setString("freshet.kafka.group-id", "g");
    Properties given = consumer(conf);
    assertThat(given.getProperty("fetch.max.wait.ms")).isEqualTo("500");
    assertThat(given.getProperty("fetch.min.bytes")).isEqualTo("65536");
    assertThat(given.getProperty("isolation.level")).isEqualTo("read_uncommitted");
    assertThat(given.getProperty("group.id")).isEqualTo("g");
    assertThat(given.stringPropertyNames()).noneMatch(k -> k.startsWith("freshet."));
  }

  /** The properties the source hands its consumers (a private field of Flink's KafkaSource). */
  private static Properties consumer(Configuration conf) throws Exception {
    KafkaSource<?> source =
        KafkaConnector.source(SPEC.source(), List.of("customer_id", "event_time"), conf);
    Field props = KafkaSource.class.getDeclaredField("props");
    props.setAccessible(true);
    return (Properties) props.get(source);
  }
}
