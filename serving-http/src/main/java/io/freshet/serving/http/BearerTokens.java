package io.freshet.serving.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer tokens a server accepts, read from a file: one token per line, surrounding blanks
 * ignored, empty lines and lines starting with {@code #} skipped.
 *
 * <p>The file is looked at again at most once a second and reread when its modification time or
 * size changed, so tokens rotate without a restart (a Kubernetes Secret mounted as a file is
 * updated in place). A reread that fails or finds no token keeps the tokens in force and logs why.
 * Tokens are kept as SHA-256 digests and every presented token is compared with all of them in
 * constant time per digest.
 */
final class BearerTokens {
  private static final Logger LOG = LoggerFactory.getLogger(BearerTokens.class);
  private static final long RECHECK_NANOS = 1_000_000_000L;

  /** What was read, and from which version of the file. */
  private record Snapshot(List<byte[]> digests, FileTime modified, long size, long checkedAt) {}

  private final Path file;
  private final LongSupplier nanoTime;
  private volatile Snapshot current;

  private BearerTokens(Path file, LongSupplier nanoTime, Snapshot first) {
    this.file = file;
    this.nanoTime = nanoTime;
    this.current = first;
  }

  /**
   * Reads the tokens now.
   *
   * @throws IllegalArgumentException if the file cannot be read or holds no token, saying which
   */
  static BearerTokens load(Path file) {
    return load(file, System::nanoTime);
  }

  static BearerTokens load(Path file, LongSupplier nanoTime) {
    return new BearerTokens(file, nanoTime, read(file, nanoTime.getAsLong()));
  }

  /** How many tokens are in force. */
  int size() {
    return current.digests().size();
  }

  Path file() {
    return file;
  }

  /**
   * Checks an Authorization header.
   *
   * @throws ApiException a 401 ({@code missing_token} or {@code invalid_token}) saying what is
   *     wrong
   */
  void check(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new ApiException(
          401,
          "missing_token",
          "this server needs a bearer token: send the header 'Authorization: Bearer <token>'"
              + " with a token from the server's --tokens-file");
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
      throw new ApiException(
          401,
          "missing_token",
          "the Authorization header is not a bearer token: send 'Authorization: Bearer <token>'");
    }
    if (!accepts(parts[1])) {
      throw new ApiException(
          401,
          "invalid_token",
          "the bearer token is not one of the server's (--tokens-file): check the token");
    }
  }

  /** Whether the token is one of the file's (rereading the file first if it changed). */
  boolean accepts(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    byte[] presented = sha256(token);
    boolean match = false;
    for (byte[] d : refreshed().digests()) {
      match |= MessageDigest.isEqual(d, presented);
    }
    return match;
  }

  private Snapshot refreshed() {
    Snapshot s = current;
    long now = nanoTime.getAsLong();
    if (now - s.checkedAt() < RECHECK_NANOS) {
      return s;
    }
    synchronized (this) {
      s = current;
      if (now - s.checkedAt() < RECHECK_NANOS) {
        return s;
      }
      try {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        if (modified.equals(s.modified()) && size == s.size()) {
          current = new Snapshot(s.digests(), s.modified(), s.size(), now);
        } else {
          current = read(file, now);
          LOG.info("Reread {}: {} bearer token(s) in force", file, current.digests().size());
        }
      } catch (IOException | IllegalArgumentException e) {
        LOG.warn("Keeping the {} bearer token(s) in force: {}", s.digests().size(), e.getMessage());
        current = new Snapshot(s.digests(), s.modified(), s.size(), now);
      }
      return current;
    }
  }

  private static Snapshot read(Path file, long now) {
    List<byte[]> digests = new ArrayList<>();
    FileTime modified;
    long size;
    try {
      modified = Files.getLastModifiedTime(file);
      size = Files.size(file);
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          digests.add(sha256(t));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the tokens file " + file + ": " + e, e);
    }
    if (digests.isEmpty()) {
      throw new IllegalArgumentException(
          "the tokens file "
              + file
              + " has no token: write one token per line (lines starting with # are comments)");
    }
    return new Snapshot(List.copyOf(digests), modified, size, now);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present", e);
    }
  }
}
