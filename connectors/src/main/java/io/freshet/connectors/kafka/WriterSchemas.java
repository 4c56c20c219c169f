package io.freshet.connectors.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * The schemas producers wrote a topic's records with, and readers that resolve each against the
 * spec's schema with Avro's own resolution rules ({@link SchemaCompatibility}): a writer that added
 * an optional field, or dropped one the spec gives a default, is read; an incompatible one is
 * refused with Avro's reason, which the decoder turns into a {@code SCHEMA_MISMATCH} dead letter.
 *
 * <p>Where writer schemas come from:
 *
 * <ul>
 *   <li>the spec's schema itself (its fingerprint, for Avro's single-object encoding);
 *   <li>a directory of {@code .avsc} files ({@link KafkaOptions#WRITER_SCHEMAS}): any file, by its
 *       fingerprint; a file named {@code <id>.avsc}, also by that Confluent schema id;
 *   <li>a schema registry speaking the Confluent API ({@link KafkaOptions#SCHEMA_REGISTRY_URL}), by
 *       id ({@code GET /schemas/ids/<id>}). A registry that does not answer is an error that fails
 *       the read (the job restarts and reads the record again), never a dead letter.
 * </ul>
 *
 * Lookups are cached, refusals too.
 */
final class WriterSchemas {
  /** A reader for one writer schema, or why there is none. */
  record Resolved(GenericDatumReader<GenericRecord> reader, String problem) {}

  /** A schema registry that did not answer: the read fails rather than dead-letter good data. */
  static final class RegistryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RegistryUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Schema reader;
  private final Path directory;
  private final String registryUrl;
  private final Map<Long, Resolved> byFingerprint = new HashMap<>();
  private final Map<Integer, Resolved> byId = new HashMap<>();
  private Map<Long, Schema> directoryByFingerprint;
  private HttpClient http;

  WriterSchemas(Schema reader, String directory, String registryUrl) {
    this.reader = reader;
    this.directory = directory == null || directory.isBlank() ? null : Path.of(directory);
    this.registryUrl =
        registryUrl == null || registryUrl.isBlank() ? null : registryUrl.replaceAll("/+$", "");
  }

  /** The reader for a single-object encoded record's writer schema fingerprint. */
  Resolved byFingerprint(long fingerprint) {
    return byFingerprint.computeIfAbsent(fingerprint, this::resolveFingerprint);
  }

  /** The reader for a Confluent wire format record's schema id. */
  Resolved byId(int id) {
    Resolved r = byId.get(id);
    if (r == null) {
      r = resolveId(id);
      byId.put(id, r);
    }
    return r;
  }

  private Resolved resolveFingerprint(long fingerprint) {
    if (fingerprint == SchemaNormalization.parsingFingerprint64(reader)) {
      return resolve(reader, "the spec's schema");
    }
    Schema writer = directorySchemas().get(fingerprint);
    if (writer == null) {
      return new Resolved(
          null,
          String.format(
              "unknown writer schema (fingerprint %016x): not the spec's schema %s%s",
              fingerprint,
              reader.getFullName(),
              directory == null
                  ? "; put the producer's .avsc in a directory named by "
                      + KafkaOptions.WRITER_SCHEMAS.key()
                  : " nor any .avsc in " + directory));
    }
    return resolve(writer, String.format("writer schema %016x", fingerprint));
  }

  private Resolved resolveId(int id) {
    if (directory != null) {
      Path file = directory.resolve(id + ".avsc");
      if (Files.isRegularFile(file)) {
        return resolve(parse(file), "writer schema id " + id + " (" + file + ")");
      }
    }
    if (registryUrl == null) {
      return new Resolved(
          null,
          "unknown writer schema id "
              + id
              + ": set "
              + KafkaOptions.SCHEMA_REGISTRY_URL.key()
              + (directory == null
                  ? " (or put it as " + id + ".avsc in a directory named by "
                  : " (or put it as " + id + ".avsc in " + directory + ", named by ")
              + KafkaOptions.WRITER_SCHEMAS.key()
              + ")");
    }
    String url = registryUrl + "/schemas/ids/" + id;
    HttpResponse<String> response;
    try {
      if (http == null) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      }
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RegistryUnavailableException(
          "the schema registry did not answer GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while asking " + url, e);
    }
    if (response.statusCode() == 404) {
      return new Resolved(null, "the schema registry has no schema id " + id + " (" + url + ")");
    }
    if (response.statusCode() != 200) {
      throw new RegistryUnavailableException(
          "the schema registry answered GET " + url + " with HTTP " + response.statusCode(), null);
    }
    Schema writer;
    try {
      JsonNode body = new ObjectMapper().readTree(response.body());
      JsonNode type = body.path("schemaType");
      if (!type.isMissingNode() && !type.asText().equals("AVRO")) {
        return new Resolved(null, "schema id " + id + " is " + type.asText() + ", not Avro");
      }
      writer = new Schema.Parser().parse(body.path("schema").asText());
    } catch (IOException | RuntimeException e) {
      return new Resolved(null, "schema id " + id + " is not an Avro schema: " + e.getMessage());
    }
    return resolve(writer, "writer schema id " + id);
  }

  private Resolved resolve(Schema writer, String what) {
    SchemaCompatibility.SchemaPairCompatibility c =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return new Resolved(
          null,
          what
              + " ("
              + writer.getFullName()
              + ") cannot be read as the spec's "
              + reader.getFullName()
              + ": "
              + c.getResult().getIncompatibilities().stream()
                  .map(i -> i.getMessage() + " at " + where(i.getLocation()))
                  .toList());
    }
    // Plain generic data: no logical-type conversions, timestamps stay epoch millis.
    return new Resolved(new GenericDatumReader<>(writer, reader, new GenericData()), null);
  }

  /** Avro's location of an incompatibility ({@code /fields/3/type}) with the field's name. */
  private String where(String location) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^/fields/(\\d+)(.*)$").matcher(location);
    if (m.matches()) {
      int i = Integer.parseInt(m.group(1));
      if (i < reader.getFields().size()) {
        return "field '" + reader.getFields().get(i).name() + "' (" + location + ")";
      }
    }
    return location;
  }

  private Map<Long, Schema> directorySchemas() {
    if (directoryByFingerprint == null) {
      directoryByFingerprint = new HashMap<>();
      if (directory != null) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*.avsc")) {
          for (Path f : files) {
            Schema s = parse(f);
            directoryByFingerprint.put(SchemaNormalization.parsingFingerprint64(s), s);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(
              KafkaOptions.WRITER_SCHEMAS.key() + ": cannot list " + directory + ": " + e, e);
        }
      }
    }
    return directoryByFingerprint;
  }

  private static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          KafkaOptions.WRITER_SCHEMAS.key() + ": " + file + " is not an Avro schema: " + e, e);
    }
  }
}
