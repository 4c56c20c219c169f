package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code freshet check-consistency} on what a real job left in Cassandra and Iceberg: every entity
 * agrees, with each other and with a recomputation from the topic's events; then a value changed
 * online (which the recomputation pins on the online store), a row deleted online and a row written
 * online only are each found (and an entity with a possibly late event is left out of the
 * recomputation), named and make the command exit 1; within the grace period the latter two are in
 * flight.
 */
@RealServices
class CheckConsistencyIT {
  @Test
  @Timeout(180)
  void agreementAndEachKindOfDisagreementAreReported(TestServices services) throws Exception {
    String topic = services.createTopic("consistency-payments", 1);
    Path dir = Files.createTempDirectory("freshet-consistency-it");
    Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "consistency_risk");
    long now = System.currentTimeMillis();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      lines.add(
          ExampleSpec.payment(
              "p" + i,
              "c" + (i % 30),
              "m" + (i % 7),
              i % 50 + 0.5,
              now - Duration.ofHours(20).toMillis() + i * 50_000L));
    }
    Path events = dir.resolve("events.jsonl");
    Files.write(events, lines);
    try (AutoCloseable state = ExampleSpec.stateDir(dir.resolve("state"))) {
      checkOneRun(services, topic, specFile, events, dir, now);
    }
  }

  private static void checkOneRun(
      TestServices services, String topic, Path specFile, Path events, Path dir, long now)
      throws Exception {
    CliRunner cli = new CliRunner();
    produce(cli, services, specFile, events);
    assertThat(
            cli.run(
                "run",
                "--spec",
                specFile.toString(),
                "--until-end",
                "--set",
                "freshet.kafka.bootstrap-servers=" + services.kafkaBootstrapServers(),
                "--set",
                "freshet.kafka.group-id=consistency-" + System.nanoTime(),
                "--set",
                "freshet.cassandra.keyspace=" + services.keyspace()))
        .as(cli.err())
        .isZero();

    String[] check = {
      "check-consistency",
      "--spec",
      specFile.toString(),
      "--keyspace",
      services.keyspace(),
      "--state-dir",
      dir.resolve("state").toString(),
      "--bootstrap-servers",
      services.kafkaBootstrapServers()
    };
    assertThat(cli.run(check)).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out())
        .contains("consistency_risk: 30 entities, 30 agree")
        .contains("recomputed from the source events: 30 of 30 chosen agree")
        .contains("consistent:");

    // An event of c7 that the job never read, 19 hours behind the newest: in the topic it reads as
    // possibly late (the job would have dropped or applied it on arrival), so c7 is left out of
    // the recomputation rather than reported.
    Path late = dir.resolve("late.jsonl");
    Files.write(
        late,
        List.of(
            ExampleSpec.payment(
                "late", "c7", "m1", 7.5, now - Duration.ofHours(19).toMillis() + 1_000)));
    produce(cli, services, specFile, late);

    // A value changed online (a later write timestamp wins), a row gone, a row the history lacks.
    var session = services.cqlSession();
    session.execute(
        "UPDATE consistency_risk USING TIMESTAMP 9000000000000000000"
            + " SET txn_count_24h = 999 WHERE entity = 'c3'");
    session.execute(
        "DELETE FROM consistency_risk USING TIMESTAMP 9000000000000000000 WHERE entity = 'c5'");
    session.execute(
        "INSERT INTO consistency_risk (entity, valid_from, last_event_time, written_at,"
            + " spec_version, revision, txn_count_1h) VALUES ('ghost', ?, ?, ?, 'x', 0, 1)",
        now,
        now,
        now - Duration.ofMinutes(10).toMillis());
    assertThat(cli.run(check)).as(cli.out()).isEqualTo(1);
    System.out.print(cli.out());
    // the recomputation from the topic's events says which store is wrong; the ghost's row is of
    // no spec version the view has, so it is left out of the recomputation
    assertThat(cli.out())
        .contains("consistency_risk: 31 entities, 28 agree")
        .containsPattern(
            "recomputed differs c3: online valid_from \\S+ revision 0: txn_count_24h: stored 999,"
                + " recomputed \\d+\n")
        .contains(
            "recomputed from the source events: 28 of 31 chosen agree; 1 left out: an event may"
                + " have come late; 1 left out: written by spec version x")
        .contains("missing offline ghost")
        .contains("1 in flight") // c5: its history row is minutes old
        .contains("2 entities disagree past the grace period");

    // without the recomputation, the stores alone: they differ for c3
    String[] storesOnly = List.of(check).toArray(new String[check.length + 2]);
    storesOnly[check.length] = "--recompute";
    storesOnly[check.length + 1] = "0";
    assertThat(cli.run(storesOnly)).as(cli.out()).isEqualTo(1);
    assertThat(cli.out())
        .contains("different values c3: txn_count_24h: online 999, history ")
        .doesNotContain("recomputed")
        .contains("2 entities disagree past the grace period");

    String[] noGrace = List.of(check).toArray(new String[check.length + 2]);
    noGrace[check.length] = "--grace";
    noGrace[check.length + 1] = "0s";
    assertThat(cli.run(noGrace)).isEqualTo(1);
    System.out.print(cli.out());
    assertThat(cli.out())
        .contains("missing online c5")
        .contains("3 entities disagree past the grace period");

    // A sample checks that many entities, the same ones every time.
    String[] sample = List.of(noGrace).toArray(new String[noGrace.length + 2]);
    sample[noGrace.length] = "--sample";
    sample[noGrace.length + 1] = "10";
    cli.run(sample);
    String first = cli.out();
    assertThat(first).contains("consistency_risk: 10 entities");
    cli.run(sample);
    assertThat(cli.out()).isEqualTo(first);

    // Retention removed the topic's first record: nothing is recomputed, and the check says why.
    services
        .kafkaAdmin()
        .deleteRecords(
            java.util.Map.of(
                new org.apache.kafka.common.TopicPartition(topic, 0),
                org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(1)))
        .all()
        .get();
    assertThat(cli.run(check)).as(cli.out()).isEqualTo(1);
    assertThat(cli.out())
        .contains(
            "none recomputed: the source topic "
                + topic
                + " no longer holds every event (partition 0 starts at offset 1)")
        .contains("different values c3: txn_count_24h: online 999, history ");
  }

  private static void produce(CliRunner cli, TestServices services, Path specFile, Path events) {
    assertThat(
            cli.run(
                "produce",
                "--spec",
                specFile.toString(),
                "--file",
                events.toString(),
                "--bootstrap-servers",
                services.kafkaBootstrapServers()))
        .as(cli.err())
        .isZero();
  }
}
