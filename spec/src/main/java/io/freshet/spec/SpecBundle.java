package io.freshet.spec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A spec with everything it reads from disk, so that a job can carry it to a JobManager that has
 * neither file: the spec's path (for messages and for relative archive paths), its YAML text and
 * its source's Avro schema as text. {@code freshet run --jobmanager} ships one as a single program
 * argument ({@link #encode()}: gzip, then URL-safe Base64), and the job jar's main parses it with
 * {@link #parse()}, exactly as the client validated it.
 *
 * @param file the spec's path on the machine it was read on
 * @param yaml the spec's text
 * @param schema the source's Avro schema (JSON) that {@code schema:} resolved to there
 */
public record SpecBundle(Path file, String yaml, String schema) {
  /** Marks the encoding, so that a future change of it is detected, not misread. */
  private static final int VERSION = 1;

  public SpecBundle {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(schema, "schema");
  }

  /**
   * Reads and validates a spec file, resolving its schema where the file is.
   *
   * @throws SpecException if the spec is not valid (every error, with file and line)
   * @throws UncheckedIOException if the file cannot be read
   */
  public static SpecBundle read(Path file) {
    FeatureSpec spec = SpecParser.parse(file);
    try {
      return new SpecBundle(
          file.toAbsolutePath().normalize(),
          Files.readString(file, StandardCharsets.UTF_8),
          spec.source().schema().toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The spec, validated with the shipped schema; reads no file. */
  public FeatureSpec parse() {
    return SpecParser.parse(file, yaml, schema);
  }

  /** One printable argument: gzip of the three parts, URL-safe Base64 without padding. */
  public String encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
      out.writeInt(VERSION);
      for (String part : new String[] {file.toString(), yaml, schema}) {
        byte[] b = part.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }

  /**
   * The bundle {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException if {@code encoded} is not one
   */
  public static SpecBundle decode(String encoded) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(encoded.trim());
    } catch (IllegalArgumentException e) {
      throw notABundle(e);
    }
    int version;
    String[] parts = new String[3];
    try (DataInputStream in =
        new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(raw)))) {
      version = in.readInt();
      for (int i = 0; version == VERSION && i < parts.length; i++) {
        int n = in.readInt();
        byte[] b = n < 0 || n > MAX_PART_BYTES ? null : in.readNBytes(n);
        if (b == null || b.length != n) {
          throw new IOException("part " + (i + 1) + " of " + n + " bytes is cut short or too long");
        }
        parts[i] = new String(b, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw notABundle(e);
    }
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "spec bundle of version " + version + "; this job jar reads version " + VERSION);
    }
    return new SpecBundle(Path.of(parts[0]), parts[1], parts[2]);
  }

  /** No part (the spec, its schema) is anywhere near this; a larger one is not a bundle. */
  private static final int MAX_PART_BYTES = 64 << 20;

  private static IllegalArgumentException notABundle(Exception e) {
    return new IllegalArgumentException(
        "not a spec bundle (" + e.getMessage() + "); pass what SpecBundle.encode() wrote", e);
  }
}
