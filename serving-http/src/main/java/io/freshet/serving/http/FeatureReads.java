package io.freshet.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureValue;
import io.freshet.serving.FeatureVector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/features}: reads a {@link FeatureRequest} through the server's {@link
 * FeatureClient} (one {@code getManyAsync} per view, the entities deduplicated) and writes the
 * answer. The whole read, connection included, is bounded by the server's timeout; the JSON of a
 * large answer is written on the server's own threads, not on the driver's I/O threads (a small one
 * where the read completes).
 *
 * <p>The answer: {@code {"features": [keys...], "results": [{"entity": e, "features": {key:
 * {"value": v, "status": "PRESENT|EXPIRED|MISSING", "age_ms": n}}}]}}, one result per requested
 * entity in request order (duplicates repeated), keys as the request wrote them. Values and
 * statuses are exactly the client's ({@link FeatureVector}): null unless PRESENT; {@code age_ms} is
 * {@code now - last_event_time}, null when the entity has no row. Non-finite doubles are written as
 * the strings "NaN", "Infinity" and "-Infinity".
 */
final class FeatureReads {
  private static final JsonFactory JSON = new JsonFactory();

  private final OnlineStore store;
  private final ServerMetrics metrics;
  private final Duration timeout;
  private final Executor encoder;

  FeatureReads(OnlineStore store, ServerMetrics metrics, Duration timeout, Executor encoder) {
    this.store = store;
    this.metrics = metrics;
    this.timeout = timeout;
    this.encoder = encoder;
  }

  /** The answer's JSON, or a failed future with the ApiException to answer with. */
  CompletableFuture<byte[]> read(FeatureRequest request) {
    List<String> views = request.views();
    List<String> entities = request.distinctEntities();
    CompletableFuture<Map<String, Map<String, FeatureVector>>> read =
        store
            .client(timeout)
            .thenCompose(client -> readViews(client, request, views, entities))
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionallyCompose(e -> CompletableFuture.failedFuture(store.failure(e, timeout)));
    // a small answer is written where the read completes (microseconds); a hop to another thread
    // would cost more than it, under load a scheduling delay of its own
    return request.entities().size() * request.columns().size() <= INLINE_VALUES
        ? read.thenApply(byView -> encode(request, byView))
        : read.thenApplyAsync(byView -> encode(request, byView), encoder);
  }

  /** Answers of at most this many values are encoded without a thread hop. */
  static final int INLINE_VALUES = 64;

  private static CompletableFuture<Map<String, Map<String, FeatureVector>>> readViews(
      FeatureClient client, FeatureRequest request, List<String> views, List<String> entities) {
    List<CompletableFuture<Map<String, FeatureVector>>> reads = new ArrayList<>(views.size());
    for (String v : views) {
      reads.add(client.getManyAsync(v, entities, request.requestFor(v)).toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              Map<String, Map<String, FeatureVector>> out = new LinkedHashMap<>();
              for (int i = 0; i < views.size(); i++) {
                out.put(views.get(i), reads.get(i).join());
              }
              return out;
            });
  }

  private byte[] encode(FeatureRequest request, Map<String, Map<String, FeatureVector>> byView) {
    for (Map.Entry<String, Map<String, FeatureVector>> v : byView.entrySet()) {
      for (FeatureVector vector : v.getValue().values()) {
        metrics.vector(v.getKey(), vector.status(), vector.age());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + request.entities().size() * 64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("features");
      for (FeatureRequest.Column c : request.columns()) {
        g.writeString(c.key());
      }
      g.writeEndArray();
      g.writeArrayFieldStart("results");
      for (String entity : request.entities()) {
        g.writeStartObject();
        g.writeStringField("entity", entity);
        g.writeObjectFieldStart("features");
        for (FeatureRequest.Column c : request.columns()) {
          FeatureValue f = byView.get(c.view()).get(entity).get(c.index());
          g.writeObjectFieldStart(c.key());
          g.writeFieldName("value");
          writeValue(g, f.value());
          g.writeStringField("status", f.status().name());
          if (f.age() == null) {
            g.writeNullField("age_ms");
          } else {
            g.writeNumberField("age_ms", f.age().toMillis());
          }
          g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(v.toString());
    }
  }
}
