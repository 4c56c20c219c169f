package io.freshet.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, stops and reports real Kafka and Cassandra servers, each in its own JVM on 127.0.0.1,
 * with state and logs under one directory ({@link ServicesConfig#stateDir()}).
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>{@link #start} returns only when Kafka answers a metadata request and Cassandra answers
 *       CQL; it is idempotent (running services are reported as already running) and, if one
 *       service fails, stops the ones it started in that call.
 *   <li>{@link #stop} signals only processes it can prove it started (pid file plus the marker
 *       arguments in {@code /proc/<pid>/cmdline}) and waits for them to exit: SIGTERM, then SIGKILL
 *       after {@link ServicesConfig#stopTimeout()}.
 *   <li>Calls on the same state dir are serialised by a file lock, also across processes.
 * </ul>
 *
 * <pre>
 * &lt;stateDir&gt;/
 *   logs/kafka.log, logs/cassandra.log      server console output (what errors quote)
 *   kafka/     server.properties, data/, kafka.pid, instance.properties
 *   cassandra/ cassandra.yaml, data/, commitlog/, ..., cassandra.pid, instance.properties
 * </pre>
 */
public final class LocalServices {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServices.class);
  private static final int LOG_LINES_IN_ERRORS = 30;
  // Generous: the first probe loads the client classes, slow on 2 busy cores.
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final ServicesConfig config;

  public LocalServices(ServicesConfig config) {
    this.config = config;
  }

  public ServicesConfig config() {
    return config;
  }

  /** Starts the default services (in parallel) unless they are running. */
  public List<ServiceStatus> start() {
    return start(Service.defaults());
  }

  /**
   * Starts the given services (in parallel) unless they are running. Services that test JVMs
   * started for themselves ({@link #startShared}) become the caller's: no test JVM stops them.
   */
  public List<ServiceStatus> start(Set<Service> services) {
    return withLock(
        () -> {
          List<ServiceStatus> results = doStart(services);
          for (Service s : services) {
            deleteQuietly(startedForTestsMarker(s));
          }
          return results;
        });
  }

  /**
   * For test JVMs sharing one state dir: starts what is missing and registers this JVM as a user (a
   * lease file named by its pid). Services started this way are stopped by {@link #releaseShared()}
   * of the last JVM still using them, never under another JVM's feet; services started with {@link
   * #start()} (e.g. by {@code freshet services start}) are never stopped.
   */
  public List<ServiceStatus> startShared() {
    return withLock(
        () -> {
          Set<Service> wasUp = EnumSet.noneOf(Service.class);
          for (Service s : Service.defaults()) {
            if (status(s).isUp()) {
              wasUp.add(s);
            }
          }
          writeLease();
          List<ServiceStatus> results;
          try {
            results = doStart(Service.defaults());
          } catch (RuntimeException e) {
            deleteQuietly(leaseFile(ProcessHandle.current()));
            throw e;
          }
          for (ServiceStatus r : results) {
            if (r.state() == ServiceStatus.State.STARTED && !wasUp.contains(r.service())) {
              touch(startedForTestsMarker(r.service()));
            }
          }
          return results;
        });
  }

  /**
   * Ends this JVM's use of shared services; if no other live JVM holds a lease, stops the services
   * that were started for tests. Returns what it stopped.
   */
  public List<ServiceStatus> releaseShared() {
    return withLock(
        () -> {
          deleteQuietly(leaseFile(ProcessHandle.current()));
          if (liveLeases() > 0) {
            return List.of();
          }
          Set<Service> toStop = EnumSet.noneOf(Service.class);
          for (Service s : Service.values()) {
            if (Files.exists(startedForTestsMarker(s))) {
              toStop.add(s);
            }
          }
          return toStop.isEmpty() ? List.<ServiceStatus>of() : doStop(toStop);
        });
  }

  private Path leaseDir() {
    return config.stateDir().resolve("leases");
  }

  private Path leaseFile(ProcessHandle process) {
    return leaseDir().resolve(Long.toString(process.pid()));
  }

  private Path startedForTestsMarker(Service service) {
    return ServerDefinition.of(config, service).dir().resolve("started-for-tests");
  }

  private static String startTime(ProcessHandle p) {
    return p.info().startInstant().map(Instant::toString).orElse("?");
  }

  private void writeLease() {
    try {
      Files.createDirectories(leaseDir());
      Files.writeString(leaseFile(ProcessHandle.current()), startTime(ProcessHandle.current()));
    } catch (IOException e) {
      throw new LocalServicesException("Cannot write a lease in " + leaseDir() + ": " + e, e);
    }
  }

  /** Counts leases of live processes (same pid and start time), deleting stale ones. */
  private int liveLeases() {
    int live = 0;
    if (!Files.isDirectory(leaseDir())) {
      return 0;
    }
    try (var files = Files.list(leaseDir())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        boolean alive = false;
        try {
          long pid = Long.parseLong(f.getFileName().toString());
          String started = Files.readString(f).trim();
          alive =
              ProcessHandle.of(pid)
                  .filter(ProcessHandle::isAlive)
                  .map(p -> startTime(p).equals(started))
                  .orElse(false);
        } catch (IOException | NumberFormatException e) {
          alive = false;
        }
        if (alive) {
          live++;
        } else {
          deleteQuietly(f);
        }
      }
    } catch (IOException e) {
      throw new LocalServicesException("Cannot list " + leaseDir() + ": " + e, e);
    }
    return live;
  }

  private static void touch(Path file) {
    try {
      Files.writeString(file, Instant.now().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", file, e.toString());
    }
  }

  /** Stops every service that runs (optional ones too) and waits for their JVMs to exit. */
  public List<ServiceStatus> stop() {
    Set<Service> services = EnumSet.noneOf(Service.class);
    status().forEach(s -> services.add(s.service()));
    return stop(services);
  }

  public List<ServiceStatus> stop(Set<Service> services) {
    return withLock(() -> doStop(services));
  }

  /**
   * The state of the default services and of any optional one that was started (has a pid file),
   * from their pid files and processes.
   */
  public List<ServiceStatus> status() {
    List<ServiceStatus> all = new ArrayList<>();
    for (Service s : Service.values()) {
      ServiceStatus status = status(s);
      if (!s.optional() || status.state() != ServiceStatus.State.NOT_RUNNING) {
        all.add(status);
      }
    }
    return all;
  }

  /** The state of one service; a RUNNING status carries the ports it was started with. */
  public ServiceStatus status(Service service) {
    ServerDefinition def = ServerDefinition.of(config, service);
    Optional<Long> pid = ProcessControl.readPid(def.pidFile());
    Properties instance = readInstance(def);
    int port = Integer.parseInt(instance.getProperty("port", Integer.toString(def.clientPort())));
    if (pid.isEmpty()) {
      return status(
          def, ServiceStatus.State.NOT_RUNNING, OptionalLong.empty(), def.clientPort(), "");
    }
    if (ProcessControl.isOurs(pid.get(), service, config.stateDir())) {
      return status(def, ServiceStatus.State.RUNNING, OptionalLong.of(pid.get()), port, "");
    }
    return status(
        def,
        ServiceStatus.State.EXITED,
        OptionalLong.of(pid.get()),
        port,
        "pid " + pid.get() + " exited");
  }

  /** The running Iceberg REST catalog's URI, e.g. "http://127.0.0.1:29181/". */
  public String restCatalogUri() {
    return restCatalogUri(requireRunning(Service.REST_CATALOG));
  }

  /** The URI clients give a REST catalog of this status, e.g. "http://127.0.0.1:29181/". */
  public static String restCatalogUri(ServiceStatus catalog) {
    return RestCatalogServer.uri(catalog.address());
  }

  /**
   * The Confluent API base URL of a running schema registry, e.g. {@code
   * http://127.0.0.1:29081/apis/ccompat/v6}.
   */
  public static String schemaRegistryUrl(ServiceStatus registry) {
    return SchemaRegistryServer.url(registry.address());
  }

  /**
   * The running object store: its endpoint, its bucket and this state dir's credentials (see {@link
   * ObjectStore#flinkSettings()} and {@link ObjectStore#icebergCatalogProperties()}).
   */
  public ObjectStore objectStore() {
    return objectStore(requireRunning(Service.OBJECT_STORE));
  }

  /** The object store of this status, with the credentials of this state dir. */
  public ObjectStore objectStore(ServiceStatus store) {
    ObjectStoreServer server = new ObjectStoreServer(config);
    java.util.Properties credentials;
    try {
      credentials = server.credentials();
    } catch (java.io.IOException e) {
      throw new LocalServicesException(
          "Cannot read the object store's credentials " + server.credentialsFile(), e);
    }
    if (credentials == null) {
      throw new LocalServicesException(
          "The object store's credentials "
              + server.credentialsFile()
              + " are missing or incomplete: restart it (freshet services stop, then services"
              + " start --object-store) to draw new ones");
    }
    return new ObjectStore(
        ObjectStoreServer.endpoint(store.address()),
        ObjectStoreServer.BUCKET,
        credentials.getProperty("access-key"),
        credentials.getProperty("secret-key"),
        server.credentialsFile());
  }

  /** The running ZooKeeper's address as a quorum string, e.g. "127.0.0.1:29281". */
  public String zooKeeperQuorum() {
    return requireRunning(Service.ZOOKEEPER).address();
  }

  /** Kafka's bootstrap servers of the running instance, e.g. "127.0.0.1:29092". */
  public String kafkaBootstrapServers() {
    return requireRunning(Service.KAFKA).address();
  }

  /** Cassandra's CQL address of the running instance. */
  public java.net.InetSocketAddress cassandraContactPoint() {
    ServiceStatus s = requireRunning(Service.CASSANDRA);
    return new java.net.InetSocketAddress(s.host(), s.port());
  }

  /** The local data center name clients must use with this Cassandra. */
  public static String cassandraLocalDatacenter() {
    return CassandraServer.LOCAL_DATACENTER;
  }

  /**
   * Throws a {@link ServiceUnavailableException} naming the service, its address, its pid and the
   * last lines of its log unless its JVM is alive and accepts connections.
   */
  public ServiceStatus requireHealthy(Service service) {
    Optional<ServiceUnavailableException> problem = diagnose(service, null);
    if (problem.isPresent()) {
      throw problem.get();
    }
    return status(service);
  }

  /**
   * Explains a client failure: if the service is down (JVM gone, or port closed), returns an
   * exception saying so, with {@code cause} attached; empty when the service looks healthy.
   */
  public Optional<ServiceUnavailableException> diagnose(Service service, Throwable cause) {
    ServiceStatus s = status(service);
    ServerDefinition def = ServerDefinition.of(config, service);
    String why;
    if (s.state() == ServiceStatus.State.EXITED) {
      why = "pid " + s.pid().getAsLong() + " exited";
    } else if (s.state() == ServiceStatus.State.NOT_RUNNING) {
      why = "not started: no pid file in " + def.dir();
    } else if (!Ports.accepts(s.port(), 2000)) {
      why =
          "pid " + s.pid().getAsLong() + " is alive but port " + s.port() + " refuses connections";
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new ServiceUnavailableException(
            service,
            service.displayName()
                + " at "
                + s.address()
                + " is not reachable ("
                + why
                + "; last log lines of "
                + def.logFile()
                + ":\n"
                + LogTail.lastLines(def.logFile(), LOG_LINES_IN_ERRORS)
                + ")",
            cause));
  }

  /**
   * Runs a client call against a service; if it fails and the service turns out to be down, throws
   * a {@link ServiceUnavailableException} that says so (with the call's failure as cause) instead
   * of the client's own, often vaguer, error.
   */
  public <T> T guarded(Service service, java.util.concurrent.Callable<T> call) throws Exception {
    try {
      return call.call();
    } catch (Exception e) {
      Optional<ServiceUnavailableException> down = diagnose(service, e);
      if (down.isPresent()) {
        throw down.get();
      }
      throw e;
    }
  }

  private ServiceStatus requireRunning(Service service) {
    ServiceStatus s = status(service);
    if (!s.isUp()) {
      throw diagnose(service, null)
          .orElseGet(
              () ->
                  new ServiceUnavailableException(
                      service, service.displayName() + " is not running", null));
    }
    return s;
  }

  private List<ServiceStatus> doStart(Set<Service> services) {
    List<ServiceStatus> results = new ArrayList<>();
    List<ServerDefinition> toStart = new ArrayList<>();
    for (Service service : EnumSet.copyOf(services)) {
      ServiceStatus s = status(service);
      ServerDefinition def = ServerDefinition.of(config, service);
      if (s.isUp()) {
        results.add(
            new ServiceStatus(
                service,
                ServiceStatus.State.ALREADY_RUNNING,
                s.pid(),
                s.host(),
                s.port(),
                s.logFile(),
                Optional.empty(),
                ""));
        continue;
      }
      if (s.state() == ServiceStatus.State.EXITED) {
        LOG.warn(
            "{} left a pid file but its process {} is gone; starting it again",
            service.displayName(),
            s.pid().getAsLong());
      }
      toStart.add(def);
    }
    if (config.secure()) {
      requireSecurable(results);
    }
    if (toStart.isEmpty()) {
      return results;
    }
    // Check every port before launching anything, so a clash fails fast and cleanly.
    for (ServerDefinition def : toStart) {
      for (Map.Entry<Integer, String> port : def.ports().entrySet()) {
        Ports.requireFree(port.getKey(), port.getValue());
      }
    }
    Path java = JdkLocator.findJava17(config.javaHome());
    try {
      Files.createDirectories(config.logDir());
    } catch (IOException e) {
      throw new LocalServicesException("Cannot create " + config.logDir() + ": " + e, e);
    }
    try {
      if (config.secure()) {
        LocalSecurity.of(config.stateDir()).create(java);
      }
    } catch (IOException e) {
      throw new LocalServicesException(
          "Cannot make the secured setup in "
              + LocalSecurity.of(config.stateDir()).dir()
              + ": "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalServicesException("Interrupted while making the secured setup", e);
    }
    Instant deadline = Instant.now().plus(config.startTimeout());
    List<CompletableFuture<ServiceStatus>> launches = new ArrayList<>();
    for (ServerDefinition def : toStart) {
      launches.add(CompletableFuture.supplyAsync(() -> launch(def, java, deadline)));
    }
    List<String> failures = new ArrayList<>();
    List<ServiceStatus> started = new ArrayList<>();
    for (CompletableFuture<ServiceStatus> launch : launches) {
      try {
        started.add(launch.join());
      } catch (CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failures.add(cause.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      for (ServiceStatus s : started) {
        LOG.warn("Stopping {} because another service failed to start", s.service().displayName());
        stopOne(ServerDefinition.of(config, s.service()));
      }
      throw new LocalServicesException(String.join("\n\n", failures));
    }
    results.addAll(started);
    results.sort((a, b) -> a.service().compareTo(b.service()));
    return results;
  }

  /**
   * Fails when {@link ServicesConfig#secure()} cannot be honoured: Kafka or Cassandra already runs
   * unsecured, or Kafka's storage was formatted without its SCRAM user (which only a format adds).
   */
  private void requireSecurable(List<ServiceStatus> running) {
    LocalSecurity security = LocalSecurity.of(config.stateDir());
    if (security.enabled()) {
      return;
    }
    for (ServiceStatus s : running) {
      if (s.service() == Service.KAFKA || s.service() == Service.CASSANDRA) {
        throw new LocalServicesException(
            s.service().displayName()
                + " of "
                + config.stateDir()
                + " runs without security; stop the services first (freshet services stop),"
                + " then start them with --secure");
      }
    }
    Path kafkaData = ServerDefinition.of(config, Service.KAFKA).dir().resolve("data");
    if (Files.exists(kafkaData.resolve("meta.properties"))) {
      throw new LocalServicesException(
          "Kafka's storage in "
              + kafkaData
              + " was made without --secure, and Kafka's SCRAM users are set only when its storage"
              + " is formatted: use another --state-dir, or delete "
              + kafkaData
              + " to start with an empty Kafka");
    }
  }

  private ServiceStatus launch(ServerDefinition def, Path java, Instant deadline) {
    Service service = def.service();
    Instant begin = Instant.now();
    Process process;
    try (def) {
      Files.createDirectories(def.dir());
      Files.deleteIfExists(def.pidFile());
      Files.writeString(
          def.logFile(),
          "==== freshet: starting "
              + service.displayName()
              + " at "
              + begin
              + " with "
              + java
              + " ====\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      def.prepare(java);
      List<String> command = def.command(java);
      LOG.debug("Launching {}: {}", service.displayName(), command);
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(def.environment());
      process =
          builder
              .directory(def.dir().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(def.logFile().toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      ProcessControl.writePid(def.pidFile(), process.pid());
      writeInstance(def, process.pid());
      LOG.info(
          "{} launched as pid {}, waiting until it answers", service.displayName(), process.pid());
      while (true) {
        if (!process.isAlive()) {
          throw new LocalServicesException(
              service.displayName()
                  + " (pid "
                  + process.pid()
                  + ") exited during startup with code "
                  + process.exitValue()
                  + "; last lines of "
                  + def.logFile()
                  + ":\n"
                  + LogTail.lastLines(def.logFile(), LOG_LINES_IN_ERRORS));
        }
        if (Instant.now().isAfter(deadline)) {
          ProcessControl.terminate(process.pid(), Duration.ofSeconds(10));
          Files.deleteIfExists(def.pidFile());
          throw new LocalServicesException(
              service.displayName()
                  + " did not answer on "
                  + def.address()
                  + " within "
                  + config.startTimeout().toSeconds()
                  + " s and was stopped; last lines of "
                  + def.logFile()
                  + ":\n"
                  + LogTail.lastLines(def.logFile(), LOG_LINES_IN_ERRORS));
        }
        Instant probe = Instant.now();
        if (def.probeReady(PROBE_TIMEOUT)) {
          LOG.debug(
              "{} answered a probe of {} ms",
              service.displayName(),
              Duration.between(probe, Instant.now()).toMillis());
          break;
        }
        waitForExit(process, Duration.ofMillis(200));
      }
      Duration took = Duration.between(begin, Instant.now());
      LOG.info("{} ready on {} after {} ms", service.displayName(), def.address(), took.toMillis());
      return new ServiceStatus(
          service,
          ServiceStatus.State.STARTED,
          OptionalLong.of(process.pid()),
          ServicesConfig.HOST,
          def.clientPort(),
          def.logFile(),
          Optional.of(took),
          def.readyDetail());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start " + service.displayName() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalServicesException("Interrupted while starting " + service.displayName(), e);
    }
  }

  /** Waits for the process to exit or the timeout, whichever comes first. */
  private static void waitForExit(Process process, Duration timeout) throws InterruptedException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // still running: the caller polls again
    }
  }

  private List<ServiceStatus> doStop(Set<Service> services) {
    List<CompletableFuture<ServiceStatus>> stops = new ArrayList<>();
    for (Service service : EnumSet.copyOf(services)) {
      ServerDefinition def = ServerDefinition.of(config, service);
      stops.add(CompletableFuture.supplyAsync(() -> stopOne(def)));
    }
    List<ServiceStatus> results = new ArrayList<>();
    for (CompletableFuture<ServiceStatus> stop : stops) {
      try {
        results.add(stop.join());
      } catch (CompletionException e) {
        throw new LocalServicesException(e.getCause().getMessage(), e.getCause());
      }
    }
    return results;
  }

  private ServiceStatus stopOne(ServerDefinition def) {
    ServiceStatus s = status(def.service());
    try {
      switch (s.state()) {
        case RUNNING, STARTED, ALREADY_RUNNING -> {
          long pid = s.pid().getAsLong();
          LOG.info("Stopping {} (pid {})", def.service().displayName(), pid);
          Instant begin = Instant.now();
          boolean killed = ProcessControl.terminate(pid, config.stopTimeout());
          Files.deleteIfExists(def.pidFile());
          Files.deleteIfExists(startedForTestsMarker(def.service()));
          Duration took = Duration.between(begin, Instant.now());
          return status(
              def,
              ServiceStatus.State.STOPPED,
              OptionalLong.of(pid),
              s.port(),
              String.format(
                  "in %.1f s%s",
                  took.toMillis() / 1000.0,
                  killed ? ", with SIGKILL after " + config.stopTimeout().toSeconds() + " s" : ""));
        }
        case EXITED -> {
          Files.deleteIfExists(def.pidFile());
          return status(
              def,
              ServiceStatus.State.NOT_RUNNING,
              s.pid(),
              s.port(),
              "pid " + s.pid().getAsLong() + " had already exited; stale pid file removed");
        }
        default -> {
          return s;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ServiceStatus status(
      ServerDefinition def, ServiceStatus.State state, OptionalLong pid, int port, String detail) {
    return new ServiceStatus(
        def.service(),
        state,
        pid,
        ServicesConfig.HOST,
        port,
        def.logFile(),
        Optional.empty(),
        detail);
  }

  private static Properties readInstance(ServerDefinition def) {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(def.instanceFile())) {
      p.load(in);
    } catch (IOException e) {
      // no earlier start: the configured ports apply
    }
    return p;
  }

  private static void writeInstance(ServerDefinition def, long pid) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("host", ServicesConfig.HOST);
    p.setProperty("port", Integer.toString(def.clientPort()));
    def.ports().forEach((port, use) -> p.setProperty("port." + port, use));
    p.setProperty("started", Instant.now().toString());
    try (var out = Files.newBufferedWriter(def.instanceFile())) {
      p.store(out, "Freshet local " + def.service().displayName() + " instance");
    }
  }

  private interface LockedAction<T> {
    T run();
  }

  /** Serialises start/stop on one state dir, within this JVM and across processes. */
  private <T> T withLock(LockedAction<T> action) {
    synchronized (LocalServices.class) {
      try {
        Files.createDirectories(config.stateDir());
      } catch (IOException e) {
        throw new LocalServicesException(
            "Cannot create the state dir " + config.stateDir() + ": " + e.getMessage(), e);
      }
      Path lockFile = config.stateDir().resolve("services.lock");
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        return action.run();
      } catch (IOException e) {
        throw new LocalServicesException("Cannot lock " + lockFile + ": " + e.getMessage(), e);
      }
    }
  }
}
