package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run records tie a savepoint to the topic and consumer group of the job it was taken of, so
 * that a run with another group (as the stateless-resume refusal advises) is not refused for
 * another job's savepoint.
 */
class RunRecordsTest {
  @TempDir Path dir;

  @Test
  void aSavepointBelongsToTheTopicAndGroupOfItsJob() throws Exception {
    RunRecords runs = new RunRecords(dir);
    runs.started("payments", "127.0.0.1:8081", "job1", "payments", "freshet-payments");
    runs.savepoint("payments", "file:/sp/1");
    // a later run with another group keeps the savepoint, which stays the first group's
    runs.started("payments", "127.0.0.1:8081", "job2", "payments", "other");
    RunRecords.Run r = runs.read("payments").orElseThrow();
    assertThat(r.jobId()).isEqualTo("job2");
    assertThat(r.savepoint()).isEqualTo("file:/sp/1");
    assertThat(r.savepointReads("payments", "freshet-payments")).isTrue();
    assertThat(r.savepointReads("payments", "other")).isFalse();
    assertThat(r.savepointReads("payments-v2", "freshet-payments")).isFalse();
    // once that job is stopped with a savepoint, the newest savepoint is the other group's
    runs.savepoint("payments", "file:/sp/2");
    r = runs.read("payments").orElseThrow();
    assertThat(r.savepointReads("payments", "other")).isTrue();
    assertThat(r.savepointReads("payments", "freshet-payments")).isFalse();
  }

  @Test
  void aRecordThatDoesNotSayWhatItsSavepointReadMatchesAnyRun() throws Exception {
    Files.createDirectories(dir.resolve("runs"));
    Files.writeString(
        dir.resolve("runs/payments.properties"), "job=j\nrest=r\nsavepoint=file\\:/sp/old\n");
    RunRecords.Run r = new RunRecords(dir).read("payments").orElseThrow();
    assertThat(r.savepointReads("payments", "any")).isTrue();
    assertThat(new RunRecords(dir).read("nosuch")).isEmpty();
  }
}
