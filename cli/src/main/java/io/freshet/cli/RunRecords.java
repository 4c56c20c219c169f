package io.freshet.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code freshet run} remembers of the newest run of each source, so that {@code freshet stop}
 * finds a running job and a later run finds the savepoint to resume from: one properties file per
 * source under {@code <state dir>/runs/}, with the REST address and id of the job, what it reads
 * (topic and consumer group), and the newest savepoint taken with what that job read.
 */
final class RunRecords {
  private final Path dir;

  RunRecords(Path stateDir) {
    this.dir = stateDir.resolve("runs");
  }

  /**
   * One source's record.
   *
   * @param reads the newest job's topic and consumer group, as {@link #reads(String, String)}
   * @param savepointReads the topic and group of the job the savepoint was taken of (null in
   *     records written before it was recorded)
   */
  record Run(String rest, String jobId, String reads, String savepoint, String savepointReads) {
    /**
     * Whether the savepoint holds the state of a job reading this topic with this group (or may: a
     * record that does not say).
     */
    boolean savepointReads(String topic, String group) {
      return savepoint != null
          && (savepointReads == null || savepointReads.equals(RunRecords.reads(topic, group)));
    }
  }

  /** A topic and consumer group as a record keeps them. */
  static String reads(String topic, String group) {
    return topic + " (consumer group " + group + ")";
  }

  Optional<Run> read(String source) throws IOException {
    Path f = file(source);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(f)) {
      p.load(in);
    }
    return Optional.of(
        new Run(
            p.getProperty("rest"),
            p.getProperty("job"),
            p.getProperty("reads"),
            p.getProperty("savepoint"),
            p.getProperty("savepoint.reads")));
  }

  /**
   * Records a started job, reading {@code topic} with {@code group}; keeps the newest savepoint.
   */
  void started(String source, String rest, String jobId, String topic, String group)
      throws IOException {
    Run before = read(source).orElse(new Run(null, null, null, null, null));
    write(
        source,
        new Run(rest, jobId, reads(topic, group), before.savepoint(), before.savepointReads()));
  }

  /** Records the savepoint the newest job was stopped with. */
  void savepoint(String source, String path) throws IOException {
    Run r = read(source).orElse(new Run(null, null, null, null, null));
    write(source, new Run(r.rest(), r.jobId(), r.reads(), path, r.reads()));
  }

  private void write(String source, Run r) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    if (r.rest() != null) {
      p.setProperty("rest", r.rest());
    }
    if (r.jobId() != null) {
      p.setProperty("job", r.jobId());
    }
    if (r.reads() != null) {
      p.setProperty("reads", r.reads());
    }
    if (r.savepoint() != null) {
      p.setProperty("savepoint", r.savepoint());
    }
    if (r.savepointReads() != null) {
      p.setProperty("savepoint.reads", r.savepointReads());
    }
    Path tmp = Files.createTempFile(dir, source, ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp)) {
      p.store(out, "freshet run of source " + source);
    }
    Files.move(tmp, file(source), StandardCopyOption.REPLACE_EXISTING);
  }

  private Path file(String source) {
    return dir.resolve(source + ".properties");
  }
}
