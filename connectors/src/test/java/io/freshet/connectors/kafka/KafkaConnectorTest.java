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
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void aPropertiesFileReachesTheConsumerAsReferencesAKafkaClientResolves(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("kafka-client.properties");
    java.nio.file.Files.writeString(
        file,
        "security.protocol=SASL_SSL\n"
            + "sasl.mechanism=SCRAM-SHA-512\n"
            + "ssl.truststore.password=s3cret-truststore\n");
    Configuration conf = new Configuration();
    conf.setString("freshet.kafka.properties-file", file.toString());
    Properties props = consumer(conf);
    assertThat(props.toString()).doesNotContain("s3cret-truststore");
    assertThat(props.getProperty("ssl.truststore.password"))
        .isEqualTo("${freshetfile:" + file + ":ssl.truststore.password}");
    assertThat(props.getProperty("config.providers")).isEqualTo("freshetfile");
    // Kafka's own resolution, as a client does when it is made: the file's values
    org.apache.kafka.clients.consumer.ConsumerConfig resolved =
        new org.apache.kafka.clients.consumer.ConsumerConfig(withDeserializers(props));
    assertThat(resolved.getString("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(resolved.getPassword("ssl.truststore.password").value())
        .isEqualTo("s3cret-truststore");
    assertThat(KafkaOptions.clientProperties(conf).getProperty("sasl.mechanism"))
        .isEqualTo("SCRAM-SHA-512");

    conf.setString("freshet.kafka.properties-file", dir.resolve("nosuch").toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> consumer(conf))
        .hasMessageContaining("freshet.kafka.properties-file")
        .hasMessageContaining("nosuch");
  }

  private static Properties withDeserializers(Properties props) {
    Properties p = new Properties();
    p.putAll(props);
    p.put("bootstrap.servers", "127.0.0.1:9");
    p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
    p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class);
    return p;
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
