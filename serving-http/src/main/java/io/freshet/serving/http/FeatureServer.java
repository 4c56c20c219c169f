package io.freshet.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.freshet.serving.FeatureClient;
import io.freshet.spec.FeatureSpec;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freshet's HTTP/JSON feature server ({@code freshet serve}): current feature vectors for model
 * servers in any language, read through one {@link FeatureClient}, so values, statuses (PRESENT,
 * EXPIRED, MISSING) and ages are exactly the client's.
 *
 * <pre>
 *   POST /v1/features        vectors of up to max-entities entities, one view or across views
 *   GET  /v1/views           the served views (from the specs): features, types, windows, ttl
 *   GET  /v1/views/{view}    one of them
 *   GET  /health             200 while the process serves (never needs a token)
 *   GET  /ready              200 when Cassandra answers, else 503 (never needs a token)
 *   GET  /metrics            Prometheus text format (ServerMetrics)
 *   GET  /openapi.yaml       the OpenAPI description of all of the above
 * </pre>
 *
 * <p>Guarantees: a bad request gets a 4xx JSON error ({@code {"error", "message", "status"}}) whose
 * message says what to fix; a read that Cassandra does not answer within the timeout (the
 * connection included: the server starts and serves while Cassandra is down) gets a 503 by then,
 * never a hang. With bearer tokens, every route but {@code /health} and {@code /ready} (which
 * Kubernetes probes call without a token) answers 401 to a missing or unknown token. With a
 * keystore, the server speaks HTTPS only.
 */
public final class FeatureServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureServer.class);
  private static final JsonFactory JSON = new JsonFactory();
  static final String OPENAPI_RESOURCE = "openapi.yaml";
  static final Set<String> WITHOUT_TOKEN = Set.of("/health", "/ready");

  private static final String ENDPOINT = "freshet.endpoint";
  private static final String VIEWS = "freshet.views";
  private static final String ERROR = "freshet.error";

  /** A route the server registered: an HTTP method and a path template like /v1/views/{view}. */
  public record Route(String method, String path) {}

  private final Builder settings;
  private final ViewCatalog catalog;
  private final BearerTokens tokens;
  private final SSLContext ssl;
  private final OnlineStore store;
  private final ServerMetrics metrics;
  private final QueuedThreadPool threads;
  private final FeatureReads reads;
  private final byte[] openApi;
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final Javalin app;

  private FeatureServer(Builder b, SSLContext ssl, BearerTokens tokens) {
    this.settings = b;
    this.catalog = new ViewCatalog(b.specs);
    this.ssl = ssl;
    this.tokens = tokens;
    this.openApi = openApi();
    for (FeatureSpec s : b.specs) {
      b.cassandra.spec(s);
    }
    b.cassandra.requestTimeout(b.timeout);
    FeatureClient.Builder client = b.cassandra;
    this.store = new OnlineStore(() -> prepared(client.build()), b.cassandraDescription);
    this.metrics = new ServerMetrics(store::connected);
    this.threads = new QueuedThreadPool(b.maxThreads, 4, 60_000);
    threads.setName("freshet-serve");
    // no reserved threads (spare threads Jetty keeps waiting to take work over): on two shared
    // cores the p99 at 500 requests/s fell from 5.8 ms with them to 3.8-4.3 ms without
    // (ServerBench, docs/benchmarks.md); the mechanism is not profiled
    threads.setReservedThreads(0);
    this.reads = new FeatureReads(store, metrics, b.timeout, threads);
    this.app = Javalin.create(this::configure);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Prepares every view's read on a new client, so that no request pays for it; a view whose table
   * cannot be read yet (the job has not created it, or lacks a column of a newer spec) is logged
   * and tried again by the reads that need it.
   */
  private FeatureClient prepared(FeatureClient client) {
    for (String view : catalog.names()) {
      try {
        client.viewMetadata(view);
      } catch (RuntimeException e) {
        LOG.warn("View {} cannot be read yet: {}", view, e.getMessage());
      }
    }
    return client;
  }

  private void configure(JavalinConfig config) {
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.http.prefer405over404 = true;
    config.http.maxRequestSize = settings.maxRequestBytes;
    // a backstop only: every read is bounded by the timeout already
    config.http.asyncTimeout = settings.timeout.toMillis() * 2 + 5_000;
    config.jetty.timeoutStatus = 503;
    config.jetty.threadPool = threads;
    config.jetty.modifyServer(server -> server.setStopTimeout(5_000));
    config.jetty.addConnector(
        (server, http) -> {
          ServerConnector c;
          if (ssl == null) {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
          } else {
            // no SNI host check: clients may well connect by IP address
            http.addCustomizer(new SecureRequestCustomizer(false));
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setSslContext(ssl);
            c =
                new ServerConnector(
                    server,
                    new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
          }
          c.setHost(settings.host);
          c.setPort(settings.port);
          return c;
        });
    config.events.handlerAdded(
        h -> {
          if (h.getHttpMethod().isHttpMethod()) {
            routes.add(new Route(h.getHttpMethod().name(), h.getPath()));
          }
        });
    config.requestLogger.http(this::record);

    config.routes.before(this::labelAndAuthenticate);
    route(config, HandlerType.POST, "/v1/features", this::features);
    route(config, HandlerType.GET, "/v1/views", this::views);
    route(config, HandlerType.GET, "/v1/views/{view}", this::view);
    route(config, HandlerType.GET, "/health", ctx -> json(ctx, 200, "{\"status\":\"ok\"}"));
    route(config, HandlerType.GET, "/ready", this::ready);
    route(
        config,
        HandlerType.GET,
        "/metrics",
        ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape()));
    route(
        config,
        HandlerType.GET,
        "/openapi.yaml",
        ctx -> ctx.contentType("application/yaml").result(openApi));

    config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
    config.routes.exception(
        HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e, ctx)));
    config.routes.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("Unexpected failure answering {} {}", ctx.method(), ctx.path(), e);
          error(ctx, new ApiException(500, "internal", "internal error; see the server log"));
        });
  }

  private void route(JavalinConfig config, HandlerType method, String path, Handler handler) {
    config.routes.addEndpoint(
        new io.javalin.router.Endpoint(
            method,
            path,
            ctx -> {
              ctx.attribute(ENDPOINT, path);
              handler.handle(ctx);
            }));
  }

  // ---- handlers

  private void features(Context ctx) {
    FeatureRequest request = FeatureRequest.parse(ctx.bodyAsBytes(), catalog, settings.maxEntities);
    ctx.attribute(VIEWS, request.views());
    ctx.future(
        () ->
            reads
                .read(request)
                .handle(
                    (body, failure) -> {
                      if (failure != null) {
                        error(ctx, store.failure(failure, settings.timeout));
                      } else {
                        ctx.status(200).contentType("application/json").result(body);
                      }
                      return null;
                    }));
  }

  private void views(Context ctx) {
    ctx.attribute(VIEWS, catalog.names());
    json(
        ctx,
        200,
        write(
            g -> {
              g.writeStartObject();
              g.writeArrayFieldStart("views");
              for (ViewCatalog.Entry e : catalog.entries()) {
                ViewCatalog.write(g, e);
              }
              g.writeEndArray();
              g.writeEndObject();
            }));
  }

  private void view(Context ctx) {
    String name = ctx.pathParam("view");
    ViewCatalog.Entry e = catalog.find(name);
    if (e == null) {
      throw ApiException.notFound("unknown_view", catalog.unknownView(name));
    }
    ctx.attribute(VIEWS, List.of(name));
    json(ctx, 200, write(g -> ViewCatalog.write(g, e)));
  }

  private void ready(Context ctx) {
    ctx.future(
        () ->
            store
                .ping(settings.timeout)
                .handle(
                    (ok, failure) -> {
                      if (failure != null) {
                        error(ctx, store.failure(failure, settings.timeout));
                      } else {
                        json(ctx, 200, "{\"status\":\"ready\"}");
                      }
                      return null;
                    }));
  }

  // ---- auth, errors, metrics

  private void labelAndAuthenticate(Context ctx) {
    ctx.attribute(ENDPOINT, RouteTable.endpointOf(routes, ctx.path()));
    if (tokens == null || WITHOUT_TOKEN.contains(ctx.path())) {
      return;
    }
    tokens.check(ctx.header("Authorization"));
  }

  private ApiException fromJavalin(HttpResponseException e, Context ctx) {
    return switch (e.getStatus()) {
      case 404 ->
          ApiException.notFound(
              "not_found",
              "no route "
                  + ctx.method().name()
                  + " "
                  + ctx.path()
                  + "; the server has "
                  + routes.stream().map(r -> r.method() + " " + r.path()).toList()
                  + " (GET /openapi.yaml describes them)");
      case 405 ->
          new ApiException(
              405,
              "method_not_allowed",
              ctx.method().name()
                  + " is not allowed on "
                  + ctx.path()
                  + "; use "
                  + routes.stream()
                      .filter(r -> r.path().equals(ctx.attribute(ENDPOINT)))
                      .map(Route::method)
                      .toList());
      case 413 ->
          new ApiException(
              413,
              "payload_too_large",
              "the body is larger than "
                  + settings.maxRequestBytes
                  + " bytes: send fewer or shorter entity ids per request");
      default ->
          new ApiException(
              e.getStatus(),
              "http_" + e.getStatus(),
              e.getMessage() == null ? "HTTP " + e.getStatus() : e.getMessage());
    };
  }

  private void error(Context ctx, ApiException e) {
    ctx.attribute(ERROR, e.code());
    if (e.status() == 401) {
      ctx.header(
          "WWW-Authenticate",
          "invalid_token".equals(e.code())
              ? "Bearer realm=\"freshet\", error=\"invalid_token\""
              : "Bearer realm=\"freshet\"");
    } else if (e.status() == 503) {
      ctx.header("Retry-After", "1");
    }
    json(
        ctx,
        e.status(),
        write(
            g -> {
              g.writeStartObject();
              g.writeStringField("error", e.code());
              g.writeStringField("message", e.getMessage());
              g.writeNumberField("status", e.status());
              g.writeEndObject();
            }));
  }

  private void record(Context ctx, Float millis) {
    String endpoint = Objects.requireNonNullElse(ctx.attribute(ENDPOINT), RouteTable.UNMATCHED);
    List<String> views = Objects.requireNonNullElse(ctx.attribute(VIEWS), List.of());
    int status = ctx.statusCode();
    long nanos = millis == null ? 0 : (long) (millis * 1_000_000.0);
    metrics.request(endpoint, ctx.method().name(), status, views, nanos);
    if (status >= 400) {
      String code = Objects.requireNonNullElse(ctx.attribute(ERROR), "http_" + status);
      metrics.error(endpoint, views, status, code);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} {} {} ms", ctx.method().name(), ctx.path(), status, millis);
    }
  }

  private static void json(Context ctx, int status, String body) {
    ctx.status(status).contentType("application/json").result(body);
  }

  private interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(JsonWriter w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] openApi() {
    try (InputStream in = FeatureServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- lifecycle

  /**
   * Binds the port and starts serving; the connection to Cassandra is made in the background.
   *
   * @throws IllegalStateException if the address cannot be bound (e.g. the port is in use)
   */
  public FeatureServer start() {
    try {
      app.start();
    } catch (JavalinBindException e) {
      throw new IllegalStateException(
          "cannot listen on "
              + settings.host
              + ":"
              + settings.port
              + " ("
              + e.getMessage()
              + "): is another server using the port? Choose another with --port",
          e);
    }
    store.start();
    LOG.debug("Serving {} on {}", catalog.names(), uri());
    return this;
  }

  /** The bound port (the chosen one when built with port 0). */
  public int port() {
    return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
  }

  /** http(s)://host:port of this server. */
  public URI uri() {
    String host =
        settings.host.isEmpty() || settings.host.equals("0.0.0.0") ? "127.0.0.1" : settings.host;
    return URI.create((ssl == null ? "http" : "https") + "://" + host + ":" + port());
  }

  /** The routes the server registered, in registration order. */
  public List<Route> routes() {
    return List.copyOf(routes);
  }

  /** The served views, in spec order. */
  public List<String> views() {
    return catalog.names();
  }

  /** Whether the server has a Cassandra session (it may still fail reads). */
  public boolean connected() {
    return store.connected();
  }

  /** How many bearer tokens are in force, or 0 without authentication. */
  public int tokenCount() {
    return tokens == null ? 0 : tokens.size();
  }

  /** Stops serving (in-flight requests get up to 5 s), then closes the Cassandra session. */
  @Override
  public void close() {
    try {
      app.stop();
    } finally {
      store.close();
    }
  }

  /** Settings of a {@link FeatureServer}; {@link #build()} checks them all. */
  public static final class Builder {
    private final List<FeatureSpec> specs = new ArrayList<>();
    private FeatureClient.Builder cassandra;
    private String cassandraDescription = "Cassandra";
    private String host = "127.0.0.1";
    private int port = 8080;
    private int maxEntities = 1000;
    private long maxRequestBytes = 4L * 1024 * 1024;
    private int maxThreads = 64;
    private Duration timeout = Duration.ofSeconds(1);
    private Path keystore;
    private char[] keystorePassword;
    private Path tokensFile;

    private Builder() {}

    /** A spec whose views the server serves; call once per spec. */
    public Builder spec(FeatureSpec spec) {
      specs.add(Objects.requireNonNull(spec, "spec"));
      return this;
    }

    /**
     * How to connect to the online store. The server adds its specs and its timeout (as the request
     * timeout) and builds the client in the background, retrying until Cassandra answers.
     *
     * @param description where that is, for messages, e.g. "127.0.0.1:29042, keyspace freshet"
     */
    public Builder cassandra(FeatureClient.Builder client, String description) {
      this.cassandra = Objects.requireNonNull(client, "client");
      this.cassandraDescription = Objects.requireNonNull(description, "description");
      return this;
    }

    /** The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8080; 0 picks a free one, see {@link FeatureServer#port()}). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The most entities one request may ask for (default 1,000). */
    public Builder maxEntities(int maxEntities) {
      this.maxEntities = maxEntities;
      return this;
    }

    /** The largest request body accepted (default 4 MiB); a larger one gets a 413. */
    public Builder maxRequestBytes(long bytes) {
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The most request threads (default 64); reads themselves are asynchronous. */
    public Builder maxThreads(int maxThreads) {
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * How long a read may take, connecting to Cassandra included, before it is answered with a 503
     * (default 1 s); also the driver's request timeout and the {@code /ready} probe's.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Serve HTTPS only, with the key and certificate chain in this keystore (PKCS12 or JKS). */
    public Builder tls(Path keystore, char[] password) {
      this.keystore = Objects.requireNonNull(keystore, "keystore");
      this.keystorePassword = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /** Require a bearer token from this file (one per line) on every route but health probes. */
    public Builder tokensFile(Path file) {
      this.tokensFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Checks every setting, reads the tokens file and the keystore, and builds the server (not
     * started).
     *
     * @throws IllegalArgumentException with a message that says what to fix
     */
    public FeatureServer build() {
      if (specs.isEmpty()) {
        throw new IllegalArgumentException(
            "no spec: give the spec file(s) whose views the server serves");
      }
      if (cassandra == null) {
        throw new IllegalArgumentException(
            "no Cassandra: call cassandra(FeatureClient.builder()...)");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port " + port + " is not in 0..65535");
      }
      if (maxEntities < 1) {
        throw new IllegalArgumentException(
            "max entities per request is " + maxEntities + ": it must be at least 1");
      }
      if (maxRequestBytes < 1024) {
        throw new IllegalArgumentException(
            "max request size " + maxRequestBytes + " bytes is too small: give at least 1024");
      }
      if (maxThreads < 8) {
        throw new IllegalArgumentException("max threads " + maxThreads + ": give at least 8");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout " + timeout + ": it must be positive");
      }
      // fail on a duplicate view now, not when the client connects
      new ViewCatalog(specs);
      SSLContext ssl = keystore == null ? null : TlsKeystore.load(keystore, keystorePassword);
      if (keystorePassword != null) {
        Arrays.fill(keystorePassword, '\0');
      }
      BearerTokens tokens = tokensFile == null ? null : BearerTokens.load(tokensFile);
      return new FeatureServer(this, ssl, tokens);
    }
  }
}
