package io.freshet.services;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A single Cassandra 5.0 node with a generated minimal cassandra.yaml: every directory under the
 * state dir, loopback only, 16 tokens, 256 MiB of memtables, no auto snapshots, no JMX port.
 */
final class CassandraServer extends ServerDefinition {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(CassandraServer.class);

  /** The data center name of SimpleSnitch, which clients need as their local data center. */
  static final String LOCAL_DATACENTER = "datacenter1";

  /**
   * The JPMS flags of Cassandra's own conf/jvm17-server.options (plus the Netty settings there):
   * without them Cassandra fails on JDK 17 with illegal-access errors.
   */
  private static final List<String> JVM17_OPTIONS =
      List.of(
          "-Djdk.attach.allowAttachSelf=true",
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports=java.sql/java.sql=ALL-UNNAMED",
          "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Dio.netty.allocator.useCacheForAllThreads=true",
          "-Dio.netty.allocator.maxOrder=11");

  private String releaseVersion = "";

  CassandraServer(ServicesConfig config) {
    super(config, Service.CASSANDRA);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.cqlPort(), "Cassandra CQL");
    ports.put(config.cassandraStoragePort(), "Cassandra storage");
    return ports;
  }

  @Override
  int clientPort() {
    return config.cqlPort();
  }

  private Path yaml() {
    return dir().resolve("cassandra.yaml");
  }

  private Path logbackConfig() {
    return dir().resolve("logback.xml");
  }

  @Override
  void prepare(Path java) throws IOException {
    // Load the driver's classes and config while the server boots: on 2 busy cores this takes
    // seconds that would otherwise come after the CQL port opens.
    Thread warmUp =
        new Thread(
            () -> DriverConfigLoader.programmaticBuilder().build().getInitialConfig(),
            "cassandra-driver-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
    for (String sub :
        List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw", "triggers", "tmp")) {
      Files.createDirectories(dir().resolve(sub));
    }
    Path d = dir();
    String host = ServicesConfig.HOST;
    String yaml =
        String.join(
            "\n",
            "# Written by Freshet's local services on every start; edits are overwritten.",
            "cluster_name: freshet-local",
            "num_tokens: 16",
            "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
            "endpoint_snitch: SimpleSnitch",
            "seed_provider:",
            "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
            "    parameters:",
            "      - seeds: \"" + host + ":" + config.cassandraStoragePort() + "\"",
            "listen_address: " + host,
            "rpc_address: " + host,
            "storage_port: " + config.cassandraStoragePort(),
            "native_transport_port: " + config.cqlPort(),
            "start_native_transport: true",
            "data_file_directories:",
            "  - " + d.resolve("data"),
            "commitlog_directory: " + d.resolve("commitlog"),
            "saved_caches_directory: " + d.resolve("saved_caches"),
            "hints_directory: " + d.resolve("hints"),
            "cdc_raw_directory: " + d.resolve("cdc_raw"),
            "commitlog_sync: periodic",
            "commitlog_sync_period: 10000ms",
            "commitlog_segment_size: 16MiB",
            // 64 MiB flushed every ~9,000 upserts of the demo's view (about 2 KiB each on heap):
            // flushes and the compactions they caused were a third of Cassandra's CPU in the demo
            "memtable_heap_space: 256MiB",
            "memtable_offheap_space: 64MiB",
            "auto_snapshot: false",
            "snapshot_before_compaction: false",
            "concurrent_reads: 8",
            "concurrent_writes: 8",
            "concurrent_counter_writes: 8",
            "concurrent_compactors: 1",
            String.join("\n", security()),
            "");
    if (LocalSecurity.of(config.stateDir()).enabled()) {
      LocalSecurity.writePrivate(yaml(), yaml);
    } else {
      Files.writeString(yaml(), yaml, StandardCharsets.UTF_8);
    }
    String logback =
        String.join(
            "\n",
            "<configuration>",
            "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>"
                + "</encoder>",
            "  </appender>",
            "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>",
            "</configuration>",
            "");
    Files.writeString(logbackConfig(), logback, StandardCharsets.UTF_8);
  }

  /**
   * Unsecured: anyone on the loopback. Secured ({@link LocalSecurity}): passwords (roles in
   * system_auth; the role {@link LocalSecurity#USER} is made at the first ready probe) and TLS
   * required of every client.
   */
  private List<String> security() throws IOException {
    LocalSecurity security = LocalSecurity.of(config.stateDir());
    if (!security.enabled()) {
      return List.of("authenticator: AllowAllAuthenticator", "authorizer: AllowAllAuthorizer");
    }
    return List.of(
        "authenticator: PasswordAuthenticator",
        "authorizer: CassandraAuthorizer",
        "role_manager: CassandraRoleManager",
        "client_encryption_options:",
        "  enabled: true",
        "  optional: false",
        "  keystore: " + security.keystore(),
        "  keystore_password: \"" + security.storePassword() + "\"",
        "  store_type: PKCS12",
        "  require_client_auth: false");
  }

  @Override
  List<String> wrappers() {
    List<String> w = super.wrappers();
    // As root, Cassandra's mlockall would pin the whole heap in RAM: drop CAP_IPC_LOCK.
    Path setpriv = Path.of("/usr/bin/setpriv");
    if (isRoot() && setpriv.toFile().canExecute()) {
      w.addAll(List.of(setpriv.toString(), "--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock"));
    }
    return w;
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  List<String> jvmArguments() {
    ServerClasspath classpath = ServerClasspath.of(service);
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "-Xms1g",
            "-Xmx1g",
            "-Xss256k",
            "-XX:+UseG1GC",
            "-XX:+ParallelRefProcEnabled",
            "-XX:MaxTenuringThreshold=1",
            "-XX:G1RSetUpdatingPauseTimePercent=5",
            "-XX:MaxGCPauseMillis=300",
            "-XX:+HeapDumpOnOutOfMemoryError",
            "-XX:HeapDumpPath=" + dir().resolve("tmp"),
            "-Djava.net.preferIPv4Stack=true",
            "-javaagent:" + classpath.jar("jamm-")));
    args.addAll(JVM17_OPTIONS);
    args.addAll(
        List.of(
            "-Dcassandra-foreground=yes",
            "-Dcassandra.config=file://" + yaml(),
            "-Dcassandra.storagedir=" + dir(),
            "-Dcassandra.logdir=" + config.logDir(),
            "-Dcassandra.triggers_dir=" + dir().resolve("triggers"),
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            // with passwords on, the default superuser is made at once, not after 10 s
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-Dlogback.configurationFile=" + logbackConfig(),
            "-Djava.io.tmpdir=" + dir().resolve("tmp"),
            "-cp",
            classpath.asArgument(),
            "org.apache.cassandra.service.CassandraDaemon"));
    return args;
  }

  @Override
  boolean probeReady(Duration timeout) {
    if (!Ports.accepts(config.cqlPort(), (int) Math.min(timeout.toMillis(), 1000))) {
      return false;
    }
    LocalSecurity security = LocalSecurity.of(config.stateDir());
    try (CqlSession session = openSession(timeout, security)) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      releaseVersion = row == null ? "" : row.getString("release_version");
      return row != null;
    } catch (AllNodesFailedException e) {
      if (security.enabled() && authenticationFailed(e)) {
        makeRole(timeout, security);
      }
      LOG.debug("Cassandra not ready yet: {}", e.toString());
      return false;
    } catch (DriverException | IllegalStateException e) {
      LOG.debug("Cassandra not ready yet: {}", e.toString());
      return false;
    }
  }

  private static boolean authenticationFailed(AllNodesFailedException e) {
    return e.getAllErrors().values().stream()
        .flatMap(List::stream)
        .anyMatch(t -> t instanceof AuthenticationException);
  }

  /**
   * On a secured node's first start: logs in as Cassandra's default superuser, makes the role
   * {@link LocalSecurity#USER} (a superuser with this state dir's password) and then, as that role,
   * takes the default one's login away.
   */
  private void makeRole(Duration timeout, LocalSecurity security) {
    try {
      String password = security.cassandraPassword();
      try (CqlSession admin = openSession(timeout, security, "cassandra", "cassandra")) {
        // a role's password cannot be a bind marker; this one is hexadecimal, nothing to escape
        admin.execute(
            "CREATE ROLE IF NOT EXISTS "
                + LocalSecurity.USER
                + " WITH PASSWORD = '"
                + password
                + "' AND LOGIN = true AND SUPERUSER = true");
      }
      try (CqlSession own = openSession(timeout, security)) {
        own.execute("ALTER ROLE cassandra WITH LOGIN = false");
      }
      LOG.info(
          "Made Cassandra's role {}; the default role cassandra can no longer log in",
          LocalSecurity.USER);
    } catch (DriverException | IOException e) {
      LOG.debug("Cannot make Cassandra's role {} yet: {}", LocalSecurity.USER, e.toString());
    }
  }

  private CqlSession openSession(Duration timeout, LocalSecurity security) {
    if (!security.enabled()) {
      return openSession(timeout, security, null, null);
    }
    try {
      return openSession(timeout, security, LocalSecurity.USER, security.cassandraPassword());
    } catch (IOException e) {
      throw new LocalServicesException(
          "Cannot read " + security.cassandraPasswordFile() + ": " + e, e);
    }
  }

  private CqlSession openSession(
      Duration timeout, LocalSecurity security, String user, String password) {
    DriverConfigLoader loader =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
            // The probe needs one query, not the schema or the token map: fetching those made
            // the first probes time out on busy machines.
            .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
            .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
            .build();
    var builder =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress(ServicesConfig.HOST, config.cqlPort()))
            .withLocalDatacenter(LOCAL_DATACENTER)
            .withConfigLoader(loader);
    if (security.enabled()) {
      try {
        builder.withSslContext(security.sslContext()).withAuthCredentials(user, password);
      } catch (IOException e) {
        throw new LocalServicesException(e.getMessage(), e);
      }
    }
    return builder.build();
  }

  @Override
  String readyDetail() {
    return "release " + releaseVersion;
  }
}
