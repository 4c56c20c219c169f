package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code freshet run} never starts a job mid-stream without its state: when the spec's consumer
 * group has committed offsets on the topic, or an earlier run of the source left a savepoint, a run
 * without {@code --from-savepoint} refuses with exit 1 and a message that says what to do (and
 * nothing else: no stack trace, no job started).
 */
@RealServices
class RunGuardIT {
  @Test
  @Timeout(120)
  void aRunWithoutStateRefusesWhenTheGroupHasReadTheTopicOrASavepointIsRecorded(
      TestServices services) throws Exception {
    String topic = services.createTopic("guard-payments", 1);
    Path dir = Files.createTempDirectory("freshet-guard-it");
    Path specFile = ExampleSpec.onTopic(dir, topic);
    String group = "guard-" + System.nanoTime();
    String[] run = {
      "run",
      "--spec",
      specFile.toString(),
      "--until-end",
      "--set",
      "freshet.kafka.bootstrap-servers=" + services.kafkaBootstrapServers(),
      "--set",
      "freshet.kafka.group-id=" + group
    };
    try (AutoCloseable state = ExampleSpec.stateDir(dir.resolve("state"))) {
      // 1. The group has read the topic: committed offsets, no savepoint.
      Properties p = new Properties();
      p.putAll(
          Map.of(
              "bootstrap.servers", services.kafkaBootstrapServers(),
              "group.id", group,
              "key.deserializer", ByteArrayDeserializer.class.getName(),
              "value.deserializer", ByteArrayDeserializer.class.getName()));
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
        c.commitSync(
            Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)), Duration.ofSeconds(30));
      }
      Result r = execute(run);
      assertThat(r.code).isEqualTo(1);
      assertThat(r.err)
          .startsWith("freshet: consumer group " + group + " has read topic " + topic)
          .contains("--from-savepoint PATH")
          .contains("--from-earliest")
          .doesNotContain("\tat ");

      // 2. Another group, but the source's last run left a savepoint.
      new RunRecords(dir.resolve("state")).savepoint("payments", "file:/tmp/some-savepoint");
      run[run.length - 1] = "freshet.kafka.group-id=" + group + "-fresh";
      r = execute(run);
      assertThat(r.code).isEqualTo(1);
      assertThat(r.err)
          .contains("an earlier run of source payments was stopped with savepoint")
          .contains("--from-savepoint LAST (file:/tmp/some-savepoint)");

      // --verbose adds the stack trace
      String[] verbose = List.of(run).toArray(new String[run.length + 1]);
      verbose[run.length] = "--verbose";
      assertThat(execute(verbose).err).contains("\tat ");
    }
  }

  /**
   * A dependency that is down at startup: one message naming it and the fix, exit 1, within
   * seconds, and nothing created (no dead-letter topic, no keyspace).
   */
  @Test
  @Timeout(120)
  void aRunRefusesToStartWhileKafkaOrCassandraIsDownAndCreatesNothing(TestServices services)
      throws Exception {
    String topic = services.createTopic("preflight-payments", 1);
    Path dir = Files.createTempDirectory("freshet-preflight-it");
    Path specFile = ExampleSpec.onTopic(dir, topic);
    String keyspace = "preflight_" + System.nanoTime();
    try (AutoCloseable state = ExampleSpec.stateDir(dir.resolve("state"))) {
      long t0 = System.nanoTime();
      Result noCassandra =
          execute(
              "run",
              "--spec",
              specFile.toString(),
              "--from-earliest",
              "--set",
              "freshet.kafka.bootstrap-servers=" + services.kafkaBootstrapServers(),
              "--set",
              "freshet.cassandra.contact-points=127.0.0.1:1",
              "--set",
              "freshet.cassandra.keyspace=" + keyspace);
      assertThat(noCassandra.code).as(noCassandra.err).isEqualTo(1);
      assertThat(noCassandra.err)
          .contains("Cassandra at 127.0.0.1:1")
          .contains("freshet.cassandra.contact-points")
          .contains("nothing was started")
          .doesNotContain("\tat ");
      Result noKafka =
          execute(
              "run",
              "--spec",
              specFile.toString(),
              "--from-earliest",
              "--set",
              "freshet.kafka.bootstrap-servers=127.0.0.1:1",
              "--set",
              "freshet.cassandra.keyspace=" + keyspace);
      assertThat(noKafka.code).as(noKafka.err).isEqualTo(1);
      assertThat(noKafka.err)
          .contains("Kafka at 127.0.0.1:1 did not answer")
          .contains("freshet.kafka.bootstrap-servers")
          .doesNotContain("\tat ");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    }
    assertThat(services.kafkaAdmin().listTopics().names().get())
        .doesNotContain(topic + ".dead-letters");
    assertThat(
            services
                .cqlSession()
                .execute(
                    "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                    keyspace)
                .one())
        .as("keyspace %s", keyspace)
        .isNull();
  }

  private record Result(int code, String err) {}

  private static Result execute(String... args) {
    CliRunner cli = new CliRunner();
    int code = cli.run(args);
    return new Result(code, cli.err());
  }
}
