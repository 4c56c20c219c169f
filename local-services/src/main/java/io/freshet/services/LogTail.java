package io.freshet.services;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a server log, for error messages. */
final class LogTail {
  private static final int MAX_BYTES = 64 * 1024;

  private LogTail() {}

  static String lastLines(Path log, int lines) {
    if (!Files.isReadable(log)) {
      return "(no log at " + log + ")";
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, f.length() - MAX_BYTES);
      byte[] buf = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(buf);
      List<String> all = Arrays.asList(new String(buf, StandardCharsets.UTF_8).split("\n"));
      List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
      return "  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
