package io.freshet.cli.flink;

import io.freshet.connectors.kafka.KafkaOffsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The stop condition of a bounded run ({@code freshet run --until-end}, the demo): the end offsets
 * of the source topic taken when the run starts. The job itself runs unbounded, so that it can be
 * stopped with a savepoint and resumed; the launcher stops it once the source has handed on every
 * record before those offsets. Unlike a bounded source, whose end advances event time to the end of
 * time, this leaves the job's event time (and so every value and its valid_from) where the data
 * took it.
 *
 * <p>A partition counts as read when the source's position in it (see {@link
 * JobProgress#positions}) reaches its end offset, when it had nothing to read from where the run
 * starts, or, once the job has completed a checkpoint, when the consumer group's committed offset
 * has reached it (a run restored from a savepoint at the end of a partition reads nothing from it
 * and so reports no position).
 */
public final class UntilEnd implements AutoCloseable {
  private final String bootstrapServers;
  private final java.util.Properties clientSettings;
  private KafkaOffsets kafka;
  private final String topic;
  private final String group;
  private final Map<Integer, Long> end;
  private final Map<Integer, Long> start;

  private UntilEnd(
      String bootstrapServers,
      java.util.Properties clientSettings,
      String topic,
      String group,
      Map<Integer, Long> end,
      Map<Integer, Long> start) {
    this.bootstrapServers = bootstrapServers;
    this.clientSettings = clientSettings;
    this.topic = topic;
    this.group = group;
    this.end = new TreeMap<>(end);
    this.start = start;
  }

  /** Where a run starts reading. */
  public enum Start {
    /** From the offsets of a savepoint or checkpoint. */
    RESTORED,
    /** From the earliest offsets (a run without saved state). */
    EARLIEST,
    /** From the end offsets (a run that reads only new events). */
    LATEST
  }

  /**
   * Takes the topic's end offsets now. Partitions a run without saved state finds with nothing to
   * read between its start and these offsets count as read.
   */
  public static UntilEnd take(String bootstrapServers, String topic, String group, Start from) {
    return take(bootstrapServers, new java.util.Properties(), topic, group, from);
  }

  /** {@link #take(String, String, String, Start)} with Kafka client settings (security). */
  public static UntilEnd take(
      String bootstrapServers,
      java.util.Properties clientSettings,
      String topic,
      String group,
      Start from) {
    try (KafkaOffsets kafka = new KafkaOffsets(bootstrapServers, clientSettings)) {
      Map<Integer, Long> end = kafka.end(topic);
      Map<Integer, Long> start =
          switch (from) {
            case RESTORED -> Map.of();
            case EARLIEST -> kafka.earliest(topic);
            case LATEST -> end;
          };
      return new UntilEnd(bootstrapServers, clientSettings, topic, group, end, start);
    }
  }

  /** For tests: given end offsets, and the start of a run without saved state. */
  static UntilEnd of(String topic, String group, Map<Integer, Long> end, Map<Integer, Long> start) {
    return new UntilEnd(null, new java.util.Properties(), topic, group, end, start);
  }

  /** The end offsets, by partition. */
  public Map<Integer, Long> end() {
    return end;
  }

  /**
   * The partitions not yet read to their end offset.
   *
   * @param positions the source's positions ({@link JobProgress#positions})
   * @param committed the group's committed offsets if the job has completed a checkpoint, else
   *     empty
   */
  public Map<Integer, Long> remaining(Map<Integer, Long> positions, Map<Integer, Long> committed) {
    Map<Integer, Long> left = new TreeMap<>();
    end.forEach(
        (p, e) -> {
          boolean read =
              positions.getOrDefault(p, -1L) >= e
                  || start.getOrDefault(p, -1L) >= e
                  || committed.getOrDefault(p, -1L) >= e;
          if (!read) {
            left.put(p, e);
          }
        });
    return left;
  }

  /**
   * How long the job may take, once every partition is read, to move its event time: a partition
   * without new data holds the watermark back until the source's idle timeout.
   */
  private static final long WATERMARK_PATIENCE_NANOS = 40_000_000_000L;

  private long readAt = Long.MIN_VALUE;

  /**
   * Whether the run can stop: every partition is read, and the feature operators have a watermark
   * (or have had {@link #WATERMARK_PATIENCE_NANOS} to get one), so that the values the run leaves
   * are as of the data it read.
   */
  boolean done(JobProgress progress, BooleanSupplier checkpointed) {
    if (!reached(progress, checkpointed)) {
      return false;
    }
    if (readAt == Long.MIN_VALUE) {
      readAt = System.nanoTime();
    }
    long w = progress.last().watermark();
    return w != Long.MIN_VALUE || System.nanoTime() - readAt > WATERMARK_PATIENCE_NANOS;
  }

  /**
   * Whether every partition is read, asking whether the job has checkpointed, and Kafka for the
   * group's offsets, only if the positions do not tell.
   */
  boolean reached(JobProgress progress, BooleanSupplier checkpointed) {
    Map<Integer, Long> left = remaining(progress.positions(), Map.of());
    if (left.isEmpty()) {
      return true;
    }
    if (bootstrapServers == null || !checkpointed.getAsBoolean()) {
      return false;
    }
    if (kafka == null) {
      kafka = new KafkaOffsets(bootstrapServers, clientSettings);
    }
    return remaining(progress.positions(), kafka.committed(group, topic)).isEmpty();
  }

  @Override
  public void close() {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
  }

  @Override
  public String toString() {
    long total = end.values().stream().mapToLong(Long::longValue).sum();
    return String.format("%s up to its end offsets %s (%,d records in all)", topic, end, total);
  }
}
