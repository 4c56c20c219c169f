// Own client kept: Flink's RestClusterClient has no jar upload/run and no vertex metrics call.
package io.freshet.services;

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
 * jar (from a savepoint), job status and details, restarts and failures, accumulators, vertex
 * metrics and watermarks, stop with a savepoint, cancel. Errors carry Flink's own message.
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
    return runJar(jarId, entryClass, args, null);
  }

  /**
   * Runs an uploaded jar's main class, restoring the job's state from {@code savepointPath} when it
   * is not null (a savepoint or a retained checkpoint); returns the job id.
   */
  public String runJar(String jarId, String entryClass, List<String> args, String savepointPath)
      throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("entryClass", entryClass);
    var list = req.putArray("programArgsList");
    args.forEach(list::add);
    if (savepointPath != null) {
      req.put("savepointPath", savepointPath);
      req.put("allowNonRestoredState", false);
    }
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

  /** The job's failure, if any (GET /jobs/:id/exceptions): the newest one's stack trace. */
  public String rootException(String jobId) {
    try {
      List<Failure> f = failures(jobId, 1);
      return f.isEmpty() ? "" : f.get(0).stackTrace();
    } catch (IOException ex) {
      return "(could not read the job's exceptions: " + ex.getMessage() + ")";
    }
  }

  /** One failure of a job, from its exception history. */
  public record Failure(long timestamp, String taskName, String stackTrace) {
    /**
     * The failure in one line: the first line of the trace and, if it has one, its deepest cause
     * (the line that usually says what went wrong).
     */
    public String summary() {
      String[] lines = stackTrace.split("\\R");
      String first = lines.length > 0 ? lines[0].strip() : "";
      String cause = null;
      for (String l : lines) {
        if (l.startsWith("Caused by: ")) {
          cause = l.substring("Caused by: ".length()).strip();
        }
      }
      return cause == null || cause.equals(first) ? first : first + " ... caused by " + cause;
    }
  }

  /** The newest failures of a job, newest first (GET /jobs/:id/exceptions). */
  public List<Failure> failures(String jobId, int max) throws IOException {
    JsonNode e = get("/jobs/" + jobId + "/exceptions?maxExceptions=" + max);
    List<Failure> out = new java.util.ArrayList<>();
    for (JsonNode entry : e.path("exceptionHistory").path("entries")) {
      out.add(
          new Failure(
              entry.path("timestamp").asLong(),
              entry.path("taskName").asText(""),
              entry.path("stacktrace").asText(entry.path("exceptionName").asText(""))));
    }
    return out;
  }

  /** Checkpoints the job has completed (GET /jobs/:id/checkpoints), savepoints included. */
  public long completedCheckpoints(String jobId) throws IOException {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong(0);
  }

  /** How often the job has restarted (the job metric numRestarts), 0 before it reports one. */
  public long restarts(String jobId) throws IOException {
    JsonNode r = get("/jobs/" + jobId + "/metrics?get=numRestarts");
    for (JsonNode m : r) {
      if ("numRestarts".equals(m.path("id").asText())) {
        return m.path("value").asLong(0);
      }
    }
    return 0;
  }

  /** The job's user accumulators (GET /jobs/:id/accumulators), by name; also for ended jobs. */
  public java.util.Map<String, Long> accumulators(String jobId) throws IOException {
    JsonNode r = get("/jobs/" + jobId + "/accumulators");
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (JsonNode a : r.path("user-task-accumulators")) {
      try {
        out.put(a.path("name").asText(), Long.parseLong(a.path("value").asText()));
      } catch (NumberFormatException e) {
        // not one of Freshet's counters
      }
    }
    return out;
  }

  /**
   * Stops the job with a savepoint in {@code targetDirectory} (POST /jobs/:id/stop), without
   * draining: the job's event time stays where its data took it. Waits for the savepoint up to
   * {@code timeout}; returns its path.
   */
  public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
      throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("drain", false);
    if (targetDirectory != null) {
      req.put("targetDirectory", targetDirectory);
    }
    req.put("formatType", "CANONICAL");
    JsonNode r =
        send(
            HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(req.toString())));
    String requestId = r.path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode st = get("/jobs/" + jobId + "/savepoints/" + requestId);
      if ("COMPLETED".equals(st.path("status").path("id").asText())) {
        JsonNode op = st.path("operation");
        if (op.has("location")) {
          return op.path("location").asText();
        }
        throw new IOException(
            "the savepoint of job "
                + jobId
                + " failed: "
                + op.path("failure-cause").path("stack-trace").asText(op.toString()));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "the savepoint of job " + jobId + " did not complete within " + timeout);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the savepoint", e);
      }
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
    return vertexMetrics(jobId, vertexId, ids, "sum");
  }

  /** The given metrics over a vertex's subtasks, aggregated by {@code agg} (sum, max, min). */
  public java.util.Map<String, Double> vertexMetrics(
      String jobId, String vertexId, List<String> ids, String agg) throws IOException {
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    String get = java.net.URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
    JsonNode r =
        get(
            "/jobs/"
                + jobId
                + "/vertices/"
                + vertexId
                + "/subtasks/metrics?agg="
                + agg
                + "&get="
                + get);
    for (JsonNode m : r) {
      if (m.has(agg)) {
        out.put(m.path("id").asText(), m.path(agg).asDouble());
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
