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

  private record Result(int code, String err) {}

  private static Result execute(String... args) {
    CliRunner cli = new CliRunner();
    int code = cli.run(args);
    return new Result(code, cli.err());
  }
}
