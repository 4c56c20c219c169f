package io.freshet.serving;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.RequestFeatures;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * Reads current feature vectors from Freshet's Cassandra online store.
 *
 * <pre>{@code
 * try (FeatureClient client = FeatureClient.builder()
 *     .contactPoints("cassandra-1:9042,cassandra-2:9042")
 *     .localDatacenter("dc1")
 *     .keyspace("freshet")
 *     .build()) {
 *   FeatureVector v = client.get("customer_risk", "c42");
 *   Long txns = v.get("txn_count_1h").asLong();      // null unless PRESENT
 * }
 * }</pre>
 *
 * <p>Views are described by the {@code freshet_views} table the job keeps (read once per view and
 * cached; {@link #refreshViews()} rereads) or by a spec given to the builder. Each read is one
 * prepared single-partition {@code SELECT} bound by entity (any characters are safe), marked
 * idempotent, routed token-aware to a replica in the local data center, with a request timeout and
 * speculative executions. {@code getMany} and {@code getViews} issue their reads concurrently.
 *
 * <p>Thread-safe; share one client per application. Sync methods throw the driver's exceptions
 * (e.g. {@code DriverTimeoutException}); async ones complete exceptionally with them.
 */
public final class FeatureClient implements AutoCloseable {
  private final CqlSession session;
  private final boolean ownsSession;
  private final String keyspace;
  private final Clock clock;
  private final ClientMetrics metrics;
  private final Map<String, ViewMetadata> fromSpec;
  private final ConsistencyLevel consistency;
  private final Map<String, CompletableFuture<View>> views = new ConcurrentHashMap<>();

  /** A view's metadata and its prepared select. */
  /**
   * A view's metadata and prepared read.
   *
   * @param warmingUp whether the read selects warming_up (a table made before the column has not
   *     got it until its job restarts on this version)
   */
  private record View(ViewMetadata meta, PreparedStatement select, boolean warmingUp) {}

  private FeatureClient(Builder b, CqlSession session, boolean ownsSession) {
    this.session = session;
    this.ownsSession = ownsSession;
    this.keyspace = b.keyspace;
    this.clock = b.clock;
    this.metrics = b.metrics;
    this.consistency = b.consistency;
    this.fromSpec = new LinkedHashMap<>(b.fromSpec);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- sync

  /** The entity's vector in the view (every feature MISSING if the entity has no row). */
  public FeatureVector get(String view, String entity) {
    return join(getAsync(view, entity));
  }

  /**
   * The entity's vector in the view, its request-time features computed with these request fields
   * (e.g. the payment being scored: {@code Map.of("amount", 120.0)}).
   *
   * @throws IllegalArgumentException for a field the view does not declare or a value of the wrong
   *     type
   */
  public FeatureVector get(String view, String entity, Map<String, ?> request) {
    return join(getAsync(view, entity, request));
  }

  /** Vectors of several entities of one view, keyed by entity in the given order. */
  public Map<String, FeatureVector> getMany(String view, Collection<String> entities) {
    return join(getManyAsync(view, entities));
  }

  /** As {@link #getMany(String, Collection)}, with the request fields of every entity's read. */
  public Map<String, FeatureVector> getMany(
      String view, Collection<String> entities, Map<String, ?> request) {
    return join(getManyAsync(view, entities, request));
  }

  /** The entity's vector in each of the given views, keyed by view in the given order. */
  public Map<String, FeatureVector> getViews(String entity, Collection<String> views) {
    return join(getViewsAsync(entity, views));
  }

  // ---- async

  public CompletionStage<FeatureVector> getAsync(String view, String entity) {
    return getAsync(view, entity, Map.of());
  }

  public CompletionStage<FeatureVector> getAsync(
      String view, String entity, Map<String, ?> request) {
    Objects.requireNonNull(entity, "entity");
    return view(view).thenCompose(v -> read(v, entity, requestValues(v, request)));
  }

  public CompletionStage<Map<String, FeatureVector>> getManyAsync(
      String view, Collection<String> entities) {
    return getManyAsync(view, entities, Map.of());
  }

  public CompletionStage<Map<String, FeatureVector>> getManyAsync(
      String view, Collection<String> entities, Map<String, ?> request) {
    List<String> keys = List.copyOf(entities);
    return view(view)
        .thenCompose(
            v -> {
              Map<String, Object> fields = requestValues(v, request);
              List<CompletableFuture<FeatureVector>> reads = new ArrayList<>(keys.size());
              for (String e : keys) {
                reads.add(read(v, e, fields));
              }
              return collect(keys, reads);
            });
  }

  public CompletionStage<Map<String, FeatureVector>> getViewsAsync(
      String entity, Collection<String> viewNames) {
    Objects.requireNonNull(entity, "entity");
    List<String> keys = List.copyOf(viewNames);
    List<CompletableFuture<FeatureVector>> reads = new ArrayList<>(keys.size());
    for (String name : keys) {
      reads.add(view(name).thenCompose(v -> read(v, entity, Map.of())));
    }
    return collect(keys, reads);
  }

  /** The view's metadata (features, types, ttl). */
  public ViewMetadata viewMetadata(String view) {
    return join(view(view)).meta();
  }

  /** Forgets cached view metadata and prepared statements (e.g. after a feature was added). */
  public void refreshViews() {
    views.clear();
  }

  /** The driver session, e.g. for metrics. */
  public CqlSession session() {
    return session;
  }

  @Override
  public void close() {
    if (ownsSession) {
      session.close();
    }
  }

  // ---- internals

  /** The request's fields checked and converted, or a failed read naming what is wrong. */
  private static Map<String, Object> requestValues(View v, Map<String, ?> request) {
    ViewMetadata m = v.meta();
    return request.isEmpty()
        ? Map.of()
        : RequestFeatures.requestValues(m.name(), m.requestFields(), request);
  }

  private CompletableFuture<FeatureVector> read(
      View v, String entity, Map<String, Object> request) {
    BoundStatement st = v.select().bind(entity);
    long started = System.nanoTime();
    return session
        .executeAsync(st)
        .toCompletableFuture()
        .thenApply(rs -> withRequestFeatures(v.meta(), toVector(v, entity, rs.one()), request))
        .whenComplete(
            (vector, error) -> metrics.read(v.meta().name(), System.nanoTime() - started, vector));
  }

  /** Computes the view's request-time features from the vector's served values and the request. */
  private FeatureVector withRequestFeatures(
      ViewMetadata meta, FeatureVector vector, Map<String, Object> request) {
    if (meta.requestFeatures().isEmpty()) {
      return vector;
    }
    Map<String, Object> inputs = new HashMap<>(request);
    for (int i = 0; i < meta.features().size(); i++) {
      inputs.put(meta.features().get(i), vector.value(i));
    }
    vector.computed(
        RequestFeatures.compute(
            meta.requestFeatures(),
            inputs,
            (f, reason) -> metrics.requestFeatureFailed(meta.name(), f.name())));
    return vector;
  }

  private FeatureVector toVector(View v, String entity, Row row) {
    ViewMetadata meta = v.meta();
    if (row == null) {
      return FeatureVector.missing(meta, entity);
    }
    int fixed = v.warmingUp() ? FIXED.size() : FIXED.size() - 1;
    int n = meta.features().size();
    Object[] values = new Object[n];
    for (int i = 0; i < n; i++) {
      int col = fixed + i;
      if (row.isNull(col)) {
        continue;
      }
      ValueType t = meta.types().get(i);
      values[i] =
          switch (t) {
            case LONG -> row.getLong(col);
            case DOUBLE -> row.getDouble(col);
            case STRING -> row.getString(col);
            case BOOLEAN -> row.getBoolean(col);
          };
    }
    return new FeatureVector(
        meta,
        entity,
        true,
        row.getLong(VALID_FROM),
        row.getLong(LAST_EVENT_TIME),
        row.getLong(WRITTEN_AT),
        row.getString(SPEC_VERSION),
        row.getInt(REVISION),
        values,
        v.warmingUp() && !row.isNull(WARMING_UP) ? row.getList(WARMING_UP, String.class) : null,
        clock.millis());
  }

  /** The online table's fixed columns but the entity (the key a read is bound by), in order. */
  private static final List<StoreColumn> FIXED =
      StoreColumn.ONLINE.stream().filter(c -> c != StoreColumn.ENTITY).toList();

  /** Positions of the fixed columns in a selected row; the features follow them. */
  private static final int VALID_FROM = FIXED.indexOf(StoreColumn.VALID_FROM);

  private static final int LAST_EVENT_TIME = FIXED.indexOf(StoreColumn.LAST_EVENT_TIME);
  private static final int WRITTEN_AT = FIXED.indexOf(StoreColumn.WRITTEN_AT);
  private static final int SPEC_VERSION = FIXED.indexOf(StoreColumn.SPEC_VERSION);
  private static final int REVISION = FIXED.indexOf(StoreColumn.REVISION);

  /** Last of the fixed columns, so that a read without it keeps every other position. */
  private static final int WARMING_UP = FIXED.indexOf(StoreColumn.WARMING_UP);

  static {
    if (WARMING_UP != FIXED.size() - 1) {
      throw new IllegalStateException("warming_up must be the last fixed column of a read");
    }
  }

  static String selectCql(String keyspace, ViewMetadata meta, boolean warmingUp) {
    StringBuilder sb = new StringBuilder("SELECT ");
    for (StoreColumn c : FIXED) {
      if (c == StoreColumn.WARMING_UP && !warmingUp) {
        continue;
      }
      sb.append(c == FIXED.get(0) ? "" : ", ").append(c.column());
    }
    for (String f : meta.features()) {
      sb.append(", ").append(quote(f));
    }
    return sb.append(" FROM ")
        .append(quote(keyspace))
        .append('.')
        .append(quote(StoreNames.table(meta.name())))
        .append(" WHERE ")
        .append(StoreColumn.ENTITY.column())
        .append(" = ?")
        .toString();
  }

  private CompletableFuture<View> view(String name) {
    Objects.requireNonNull(name, "view");
    CompletableFuture<View> f = views.computeIfAbsent(name, this::loadView);
    if (f.isCompletedExceptionally()) {
      views.remove(name, f); // do not cache failures (e.g. a view not created yet)
    }
    return f;
  }

  private CompletableFuture<View> loadView(String name) {
    CompletableFuture<ViewMetadata> meta;
    ViewMetadata known = fromSpec.get(name);
    if (known != null) {
      meta = CompletableFuture.completedFuture(known);
    } else {
      meta =
          session
              .executeAsync(
                  SimpleStatement.newInstance(
                      "SELECT * FROM "
                          + quote(keyspace)
                          + "."
                          + StoreNames.VIEWS_TABLE
                          + " WHERE view_name = ?",
                      name))
              .toCompletableFuture()
              .thenApply(
                  rs -> {
                    Row r = rs.one();
                    if (r == null) {
                      throw new IllegalArgumentException(
                          "no view '"
                              + name
                              + "' in keyspace '"
                              + keyspace
                              + "' (freshet_views has no row for it): is the job running with"
                              + " this view, and is the keyspace right?");
                    }
                    return DeployedViews.metadata(r);
                  });
    }
    return meta.thenCompose(
        m ->
            prepare(m, true)
                .thenApply(ps -> new View(m, ps, true))
                .exceptionallyCompose(
                    e -> {
                      // a table made before warming_up existed, until its job restarts on this
                      // version (which adds the column): read it without
                      Throwable cause = e instanceof CompletionException c ? c.getCause() : e;
                      if (String.valueOf(cause.getMessage())
                          .contains("Undefined column name " + StoreColumn.WARMING_UP.column())) {
                        return prepare(m, false).thenApply(ps -> new View(m, ps, false));
                      }
                      return CompletableFuture.failedFuture(cause);
                    }));
  }

  private CompletableFuture<PreparedStatement> prepare(ViewMetadata m, boolean warmingUp) {
    return session
        .prepareAsync(
            SimpleStatement.newInstance(selectCql(keyspace, m, warmingUp))
                .setIdempotent(true)
                .setConsistencyLevel(consistency))
        .toCompletableFuture();
  }

  private static <T> CompletableFuture<Map<String, T>> collect(
      List<String> keys, List<CompletableFuture<T>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              Map<String, T> out = new LinkedHashMap<>(keys.size() * 2);
              for (int i = 0; i < keys.size(); i++) {
                out.put(keys.get(i), futures.get(i).join());
              }
              return out;
            });
  }

  private static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        r.addSuppressed(new Exception("called from here"));
        throw r;
      }
      throw e;
    }
  }

  static String quote(String name) {
    return CqlIdentifier.fromInternal(name).asCql(false);
  }

  /** The reconnection backoff to a node that went down, for sessions the client opens itself. */
  static final Duration RECONNECT_BASE = Duration.ofMillis(250);

  static final Duration RECONNECT_MAX = Duration.ofSeconds(2);

  /** Builds a {@link FeatureClient}; every setting has a default for a local Freshet. */
  public static final class Builder {
    private final List<InetSocketAddress> contactPoints = new ArrayList<>();
    private String localDatacenter = "datacenter1";
    private String keyspace = StoreNames.DEFAULT_KEYSPACE;
    private final Map<String, ViewMetadata> fromSpec = new LinkedHashMap<>();
    private String username;
    private String password;
    private SSLContext sslContext;
    private Duration requestTimeout = Duration.ofSeconds(1);
    private Duration speculativeDelay = Duration.ofMillis(20);
    private int speculativeExecutions = 2;
    private ConsistencyLevel consistency = DefaultConsistencyLevel.LOCAL_ONE;
    private Clock clock = Clock.systemUTC();
    private ClientMetrics metrics = ClientMetrics.NONE;
    private CqlSession session;

    private Builder() {}

    public Builder contactPoint(InetSocketAddress address) {
      contactPoints.add(address);
      return this;
    }

    /** "host:port,host:port" (port 9042 if omitted). */
    public Builder contactPoints(String hostPorts) {
      for (String hp : hostPorts.split("[,;]")) {
        String s = hp.trim();
        if (s.isEmpty()) {
          continue;
        }
        int colon = s.lastIndexOf(':');
        if (colon > 0 && s.indexOf(':') == colon) {
          contactPoints.add(
              InetSocketAddress.createUnresolved(
                  s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
        } else {
          contactPoints.add(InetSocketAddress.createUnresolved(s, 9042));
        }
      }
      return this;
    }

    public Builder localDatacenter(String dc) {
      this.localDatacenter = Objects.requireNonNull(dc);
      return this;
    }

    public Builder keyspace(String keyspace) {
      this.keyspace = Objects.requireNonNull(keyspace);
      return this;
    }

    /**
     * Take the views of this spec from it instead of the freshet_views table. Call it once per spec
     * (one per source) to serve views of several sources; a view name in two specs is refused.
     */
    public Builder spec(FeatureSpec spec) {
      for (ViewSpec v : spec.views()) {
        if (fromSpec.containsKey(v.name())) {
          throw new IllegalArgumentException(
              "view '"
                  + v.name()
                  + "' is in two specs (the second is "
                  + spec.file()
                  + "): a view name belongs to one source per keyspace; rename one of them");
        }
      }
      for (ViewSpec v : spec.views()) {
        fromSpec.put(v.name(), ViewMetadata.of(spec.source(), v));
      }
      return this;
    }

    /** PLAIN authentication; pass secrets from your own secret store, not from code. */
    public Builder credentials(String username, String password) {
      this.username = username;
      this.password = password;
      return this;
    }

    public Builder sslContext(SSLContext ssl) {
      this.sslContext = ssl;
      return this;
    }

    /** Timeout of one read, speculative executions included (default 1 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Start another execution of a read on the next replica if none answered within {@code delay},
     * up to {@code maxExecutions} in total (default 20 ms, 2). {@code maxExecutions} 1 disables it.
     */
    public Builder speculativeExecution(Duration delay, int maxExecutions) {
      this.speculativeDelay = delay;
      this.speculativeExecutions = maxExecutions;
      return this;
    }

    public Builder consistency(ConsistencyLevel level) {
      this.consistency = level;
      return this;
    }

    /** The clock that decides EXPIRED (tests inject a fixed one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Use an existing session (not closed by the client); connection settings are then ignored. */
    public Builder session(CqlSession session) {
      this.session = session;
      return this;
    }

    /**
     * Record per-view metrics of the reads in this Micrometer registry ({@code
     * freshet.client.reads}, {@code freshet.client.features}, {@code freshet.client.vector.age}:
     * see docs/observability.md). Without one, nothing is recorded.
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
      this.metrics = new ClientMetrics(Objects.requireNonNull(registry));
      return this;
    }

    public FeatureClient build() {
      if (session != null) {
        return new FeatureClient(this, session, false);
      }
      if (contactPoints.isEmpty()) {
        throw new IllegalStateException(
            "no contact points: call contactPoints(\"host:port\") (a local Freshet listens on"
                + " 127.0.0.1:29042)");
      }
      var config =
          DriverConfigLoader.programmaticBuilder()
              .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
              .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency.name())
              .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
              .withDuration(
                  DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5))
              .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(5))
              // a node that comes back serves again within about 2 s: the driver's default backoff
              // grows to 60 s, and after a 60 s outage reads kept failing for up to 50 s more
              // (docs/reliability.md)
              .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, RECONNECT_BASE)
              .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECT_MAX);
      if (speculativeExecutions > 1) {
        config =
            config
                .withString(
                    DefaultDriverOption.SPECULATIVE_EXECUTION_POLICY_CLASS,
                    "ConstantSpeculativeExecutionPolicy")
                .withInt(DefaultDriverOption.SPECULATIVE_EXECUTION_MAX, speculativeExecutions)
                .withDuration(DefaultDriverOption.SPECULATIVE_EXECUTION_DELAY, speculativeDelay);
      }
      CqlSessionBuilder b =
          CqlSession.builder()
              .addContactPoints(contactPoints)
              .withLocalDatacenter(localDatacenter)
              .withConfigLoader(config.build());
      if (username != null) {
        b.withAuthCredentials(username, password);
      }
      if (sslContext != null) {
        b.withSslContext(sslContext);
      }
      return new FeatureClient(this, b.build(), true);
    }
  }
}
