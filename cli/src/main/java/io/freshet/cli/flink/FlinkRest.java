package io.freshet.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A small client of Flink's REST API (the JobManager's port 8081 by default): upload and run a job
 * jar, job status and details, vertex metrics and watermarks, cancel. Errors carry Flink's own
 * message.
 */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final String base;
  private final HttpClient http;

  /**
   * @param address host:port of the REST endpoint, or a URL
   */
  public FlinkRest(String address) {
    this.base = address.startsWith("http") ? address : "http://" + address;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  public String address() {
    return base;
  }

  public JsonNode get(String path) throws IOException {
    return get(path, REQUEST_TIMEOUT);
  }

  /**
   * GET with its own answer timeout: a probe of an endpoint that may not be Flink's (another
   * process on the port accepts the connection and never answers) must not wait a minute.
   */
  public JsonNode get(String path, Duration timeout) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), timeout);
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException {
    return send(request, REQUEST_TIMEOUT);
  }

  private JsonNode send(HttpRequest.Builder request, Duration timeout) throws IOException {
    HttpResponse<String> r;
    try {
      r = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    if (r.statusCode() >= 300) {
      throw new IOException(
          "Flink REST "
              + r.request().method()
              + " "
              + r.request().uri()
              + " answered "
              + r.statusCode()
              + ": "
              + (body.has("errors") ? body.get("errors").toString() : r.body()));
    }
    return body;
  }

  /** True when the REST endpoint answers /overview. */
  public boolean reachable() {
    try {
      get("/overview", Duration.ofSeconds(5));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Uploads a jar (POST /jars/upload); returns its id on the cluster. */
  public String uploadJar(Path jar) throws IOException {
    String boundary = "freshet-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(Files.readAllBytes(jar));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    JsonNode r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    String file = r.path("filename").asText();
    if (file.isEmpty()) {
      throw new IOException("Flink REST /jars/upload returned no file name: " + r);
    }
    return Path.of(file).getFileName().toString();
  }

  /** Runs an uploaded jar's main class (POST /jars/:id/run); returns the job id. */
  public String runJar(String jarId, String entryClass, List<String> args) throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("entryClass", entryClass);
    var list = req.putArray("programArgsList");
    args.forEach(list::add);
    JsonNode r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(req.toString())));
    return r.path("jobid").asText();
  }

  public void deleteJar(String jarId) throws IOException {
    send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId)).DELETE());
  }

  /** GET /jobs/:id: state, vertices (with ids and names). */
  public JsonNode job(String jobId) throws IOException {
    return get("/jobs/" + jobId);
  }

  public String jobState(String jobId) throws IOException {
    return job(jobId).path("state").asText();
  }

  /** The job's failure, if any (GET /jobs/:id/exceptions). */
  public String rootException(String jobId) {
    try {
      JsonNode e = get("/jobs/" + jobId + "/exceptions");
      String root = e.path("root-exception").asText("");
      if (root.isEmpty() && e.path("exceptionHistory").path("entries").size() > 0) {
        root = e.path("exceptionHistory").path("entries").get(0).path("stacktrace").asText("");
      }
      return root;
    } catch (IOException ex) {
      return "(could not read the job's exceptions: " + ex.getMessage() + ")";
    }
  }

  public void cancel(String jobId) throws IOException {
    send(
        HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
            .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  /** Ids of every metric of a vertex's subtasks. */
  public List<String> vertexMetricIds(String jobId, String vertexId) throws IOException {
    JsonNode r = get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics");
    return r.findValuesAsText("id");
  }

  /** Sums of the given metrics over a vertex's subtasks; metrics without a value are left out. */
  public java.util.Map<String, Double> vertexMetricSums(
      String jobId, String vertexId, List<String> ids) throws IOException {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    String get = java.net.URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
    JsonNode r =
        get("/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics?agg=sum&get=" + get);
    for (JsonNode m : r) {
      if (m.has("sum")) {
        out.put(m.path("id").asText(), m.path("sum").asDouble());
      }
    }
    return out;
  }

  /** The smallest input watermark of a vertex's subtasks, or Long.MIN_VALUE if none yet. */
  public long minWatermark(String jobId, String vertexId) throws IOException {
    JsonNode r = get("/jobs/" + jobId + "/vertices/" + vertexId + "/watermarks");
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (JsonNode w : r) {
      if (w.path("id").asText().endsWith("currentInputWatermark")) {
        long v = w.path("value").asLong(Long.MIN_VALUE);
        min = Math.min(min, v);
        any = true;
      }
    }
    return any ? min : Long.MIN_VALUE;
  }
}
