package io.freshet.connectors.archive;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out an archive's files in the order of their paths, so that files named by date (the usual
 * layout: {@code 2026-11-01.avro}, {@code day=2026-11-01/part-0.avro}) are read in time order and
 * the watermark they raise does not make the next file's events late.
 */
final class InOrderSplitAssigner implements FileSplitAssigner {
  private static final Comparator<FileSourceSplit> BY_PATH =
      Comparator.comparing((FileSourceSplit s) -> s.path().toString())
          .thenComparing(FileSourceSplit::splitId);

  private final TreeSet<FileSourceSplit> splits = new TreeSet<>(BY_PATH);

  InOrderSplitAssigner(Collection<FileSourceSplit> initial) {
    splits.addAll(initial);
  }

  @Override
  public Optional<FileSourceSplit> getNext(String hostname) {
    return Optional.ofNullable(splits.pollFirst());
  }

  @Override
  public void addSplits(Collection<FileSourceSplit> returned) {
    splits.addAll(returned);
  }

  @Override
  public Collection<FileSourceSplit> remainingSplits() {
    List<FileSourceSplit> out = new ArrayList<>(splits);
    return out;
  }
}
