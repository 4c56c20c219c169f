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
 * source under {@code <state dir>/runs/}, with the REST address and id of the job and the newest
 * savepoint taken of it.
 */
final class RunRecords {
  private final Path dir;

  RunRecords(Path stateDir) {
    this.dir = stateDir.resolve("runs");
  }

  /** One source's record. */
  record Run(String rest, String jobId, String savepoint) {}

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
        new Run(p.getProperty("rest"), p.getProperty("job"), p.getProperty("savepoint")));
  }

  /** Records a started job; keeps the newest savepoint known. */
  void started(String source, String rest, String jobId) throws IOException {
    String savepoint = read(source).map(Run::savepoint).orElse(null);
    write(source, new Run(rest, jobId, savepoint));
  }

  /** Records the savepoint a job was stopped with. */
  void savepoint(String source, String path) throws IOException {
    Run r = read(source).orElse(new Run(null, null, null));
    write(source, new Run(r.rest(), r.jobId(), path));
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
    if (r.savepoint() != null) {
      p.setProperty("savepoint", r.savepoint());
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
