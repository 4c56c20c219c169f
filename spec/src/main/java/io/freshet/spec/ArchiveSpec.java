package io.freshet.spec;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The past events of a source, kept outside Kafka: files read before the topic in the same job.
 * Events before {@link #until} come from the archive, events at or after it from Kafka (each side
 * skips the other's), so the two never overlap and together are the whole history.
 *
 * @param paths files or directories (read recursively), as absolute paths or URIs ({@code file:},
 *     or a scheme of a Flink file system the job has)
 * @param until the handover instant
 * @param format the files' format, or null to tell it from each file's extension
 */
public record ArchiveSpec(List<String> paths, Instant until, Format format)
    implements java.io.Serializable {

  /** The file formats an archive may hold. */
  public enum Format {
    /** Avro object container files ({@code .avro}): the writer schema is in the file. */
    AVRO("avro", ".avro"),
    /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json}). */
    JSON_LINES("jsonl", ".jsonl", ".ndjson", ".json");

    private final String specName;
    private final List<String> extensions;

    Format(String specName, String... extensions) {
      this.specName = specName;
      this.extensions = List.of(extensions);
    }

    /** The name a spec writes ({@code format: jsonl}). */
    public String specName() {
      return specName;
    }

    public List<String> extensions() {
      return extensions;
    }

    /** The format a spec names, or null. */
    public static Format named(String name) {
      for (Format f : values()) {
        if (f.specName.equalsIgnoreCase(name)) {
          return f;
        }
      }
      return null;
    }

    /** The format of a file by its extension, or null when none matches. */
    public static Format of(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      for (Format f : values()) {
        for (String ext : f.extensions) {
          if (lower.endsWith(ext)) {
            return f;
          }
        }
      }
      return null;
    }
  }

  public ArchiveSpec {
    paths = List.copyOf(paths);
    Objects.requireNonNull(until, "until");
  }

  /** The format of one file of the archive: the declared one, else by its extension, or null. */
  public Format formatOf(String fileName) {
    return format != null ? format : Format.of(fileName);
  }
}
