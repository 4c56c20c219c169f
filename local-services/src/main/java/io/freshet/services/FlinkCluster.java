package io.freshet.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A Flink 2.1 standalone session cluster on this machine: a JobManager and one or more
 * TaskManagers, each in its own JVM, from the jars that local-services/flink-cluster resolves (no
 * Flink distribution).
 *
 * <pre>
 *  &lt;state dir&gt;/flink/conf/config.yaml   flink-conf/config.yaml + this cluster's ports and dirs
 *  &lt;state dir&gt;/flink/conf/log4j.properties
 *  &lt;state dir&gt;/flink/{jobmanager,taskmanager,taskmanager-2,...}.pid
 *  &lt;state dir&gt;/flink/{checkpoints,savepoints,tmp,uploads}
 *  &lt;state dir&gt;/flink/plugins/s3-fs-hadoop/   Flink's S3 file system (FLINK_PLUGINS_DIR, {@link FlinkPlugins})
 *  &lt;state dir&gt;/logs/flink-{jobmanager,taskmanager,taskmanager-2,...}.log
 * </pre>
 *
 * The first TaskManager's role is {@code flink-taskmanager}, the n-th's {@code
 * flink-taskmanager-n}; each registers with a resource id of the same name.
 *
 * <p>Memory flags come from Flink's own {@code BashJavaUtils} (what flink-dist's scripts do). Pid
 * files, identity checks, signals and log tails are the services' own ({@link ProcessControl},
 * {@link LogTail}): a pid is trusted only while the process's command line carries this cluster's
 * marker arguments, so a recycled pid is never signalled. The JVMs carry {@code
 * -Dfreshet.state.dir=<state dir>}, where a job's default Iceberg catalog lives ({@link
 * StateDirectory}). Start is idempotent; stop ends only the JVMs of this state dir. A caller that
 * polls job metrics sets {@code metrics.fetcher.update-interval} in the overrides.
 */
public final class FlinkCluster {
  public static final String JOBMANAGER = "flink-jobmanager";
  public static final String TASKMANAGER = "flink-taskmanager";

  /** Java options of every Flink JVM on JDK 17 (see docs/operations.md). */
  static final List<String> ADD_OPENS =
      List.of(
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED");

  private final Path stateDir;
  private final Path flinkConfDir;
  private final int restPort;
  private final int rpcPort;
  private final Map<String, String> overrides;
  private final int taskManagers;
  private final Path javaBin;

  /**
   * @param stateDir where the cluster keeps its files (the services' state dir)
   * @param flinkConfDir the directory of the config.yaml to start from (flink-conf/)
   * @param restPort the REST API and web UI port (8081)
   * @param rpcPort the JobManager's RPC port (6123)
   * @param overrides further Flink settings
   */
  public FlinkCluster(
      Path stateDir, Path flinkConfDir, int restPort, int rpcPort, Map<String, String> overrides) {
    this(stateDir, flinkConfDir, restPort, rpcPort, overrides, 1);
  }

  /** As above, with {@code taskManagers} TaskManager JVMs (each with flink-conf's slots). */
  public FlinkCluster(
      Path stateDir,
      Path flinkConfDir,
      int restPort,
      int rpcPort,
      Map<String, String> overrides,
      int taskManagers) {
    if (taskManagers < 1) {
      throw new IllegalArgumentException(taskManagers + " TaskManagers: give at least 1");
    }
    this.taskManagers = taskManagers;
    this.stateDir = stateDir.toAbsolutePath().normalize();
    this.flinkConfDir = flinkConfDir.toAbsolutePath().normalize();
    this.restPort = restPort;
    this.rpcPort = rpcPort;
    this.overrides = overrides;
    this.javaBin = JdkLocator.current();
  }

  public Path dir() {
    return stateDir.resolve("flink");
  }

  public Path confDir() {
    return dir().resolve("conf");
  }

  public Path logFile(String role) {
    return stateDir.resolve("logs").resolve(role + ".log");
  }

  private Path pidFile(String role) {
    return dir().resolve(role.substring("flink-".length()) + ".pid");
  }

  /** host:port of the REST API. */
  public String restAddress() {
    return "127.0.0.1:" + restPort;
  }

  /** The role of the n-th TaskManager (from 1): flink-taskmanager, flink-taskmanager-2, ... */
  public static String taskManager(int n) {
    return n == 1 ? TASKMANAGER : TASKMANAGER + "-" + n;
  }

  /** The JobManager and the TaskManagers this cluster starts. */
  private List<String> roles() {
    List<String> roles = new ArrayList<>(List.of(JOBMANAGER));
    for (int n = 1; n <= taskManagers; n++) {
      roles.add(taskManager(n));
    }
    return roles;
  }

  /**
   * {@link #roles()} and any further TaskManager with a pid file in this state dir (started by a
   * {@code cluster start} with more TaskManagers): what status shows and stop ends.
   */
  private List<String> knownRoles() {
    List<String> roles = roles();
    for (int n = taskManagers + 1; Files.exists(pidFile(taskManager(n))); n++) {
      roles.add(taskManager(n));
    }
    return roles;
  }

  /** The live pid of a role's JVM, if it runs. */
  public Optional<Long> pid(String role) {
    return ProcessControl.readPid(pidFile(role))
        .filter(pid -> ProcessControl.isOurs(pid, role, stateDir));
  }

  /** One line per role: running with pid, or stopped. */
  public List<String> status() {
    List<String> out = new ArrayList<>();
    for (String role : knownRoles()) {
      Optional<Long> pid = pid(role);
      out.add(
          role
              + ": "
              + (pid.isPresent() ? "running (pid " + pid.get() + ")" : "stopped")
              + ", log "
              + logFile(role));
    }
    FlinkRest rest = new FlinkRest(restAddress());
    if (rest.reachable()) {
      out.add("REST API and web UI: http://" + restAddress());
    }
    return out;
  }

  /** True when the JobManager and every TaskManager of this cluster run. */
  public boolean running() {
    return roles().stream().allMatch(role -> pid(role).isPresent());
  }

  /**
   * Starts whatever role is not running and waits until every TaskManager has registered its slots.
   * When that fails (a JVM exits, or the timeout passes), stops the JVMs this call started.
   */
  public void start(Duration timeout) throws IOException, InterruptedException {
    Files.createDirectories(confDir());
    Files.createDirectories(stateDir.resolve("logs"));
    Configuration conf = writeConfig();
    String classpath = classpath();
    Map<String, Process> launched = new java.util.HashMap<>();
    if (pid(JOBMANAGER).isEmpty()) {
      launched.put(
          JOBMANAGER,
          launch(
              conf,
              JOBMANAGER,
              "GET_JM_RESOURCE_PARAMS",
              "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
              classpath));
    }
    for (String role : roles().subList(1, taskManagers + 1)) {
      if (pid(role).isEmpty()) {
        launched.put(
            role,
            launch(
                conf,
                role,
                "GET_TM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                classpath));
      }
    }
    try {
      awaitReady(timeout, launched);
    } catch (IOException | InterruptedException | RuntimeException e) {
      // half a cluster is of no use: stop what this call started, so that no JVM is left behind
      launched.forEach(
          (role, p) -> {
            try {
              ProcessControl.terminate(p.pid(), Duration.ofSeconds(30));
            } catch (LocalServicesException stuck) {
              e.addSuppressed(stuck);
            }
            forgetPid(role);
          });
      throw e;
    }
  }

  /** Writes the cluster's config.yaml and returns what it holds. */
  private Configuration writeConfig() throws IOException {
    Configuration conf = GlobalConfiguration.loadConfiguration(flinkConfDir.toString());
    Path d = dir();
    conf.setString("rest.port", Integer.toString(restPort));
    conf.setString("rest.bind-port", Integer.toString(restPort));
    conf.setString("jobmanager.rpc.port", Integer.toString(rpcPort));
    conf.setString("execution.checkpointing.dir", d.resolve("checkpoints").toUri().toString());
    conf.setString(
        "execution.checkpointing.savepoint-dir", d.resolve("savepoints").toUri().toString());
    conf.setString("io.tmp.dirs", d.resolve("tmp").toString());
    conf.setString("web.upload.dir", d.resolve("uploads").toString());
    conf.setString("web.tmpdir", d.resolve("web").toString());
    conf.setString("blob.storage.directory", d.resolve("blobs").toString());
    overrides.forEach(conf::setString);
    Files.createDirectories(d.resolve("tmp"));
    Files.createDirectories(d.resolve("uploads"));
    Files.write(
        confDir().resolve("config.yaml"),
        ConfigurationUtils.convertConfigToWritableLines(conf, false),
        StandardCharsets.UTF_8);
    Files.writeString(
        confDir().resolve("log4j.properties"),
        String.join(
            "\n",
            "# Written by freshet cluster start.",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "logger.iceberg.name = org.apache.iceberg",
            "logger.iceberg.level = WARN",
            "logger.hadoop.name = org.apache.hadoop",
            "logger.hadoop.level = WARN",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.append = true",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            ""),
        StandardCharsets.UTF_8);
    return conf;
  }

  /**
   * The settings of JobManager high availability on ZooKeeper: leader election and the pointers to
   * the job graphs and checkpoints in {@code quorum}, under {@code clusterId}; the job graphs and
   * checkpoint metadata themselves in {@code storageDir}. A JobManager that dies and is started
   * again (or a standby) takes the running jobs back from there, each restored from its latest
   * checkpoint, with the same job id.
   */
  public static Map<String, String> zooKeeperHighAvailability(
      String quorum, Path storageDir, String clusterId) {
    Map<String, String> ha = new java.util.LinkedHashMap<>();
    ha.put("high-availability.type", "zookeeper");
    ha.put("high-availability.zookeeper.quorum", quorum);
    ha.put("high-availability.zookeeper.path.root", "/flink");
    ha.put("high-availability.cluster-id", clusterId);
    ha.put("high-availability.storageDir", storageDir.toUri().toString());
    // a dead JobManager keeps its leadership until its ZooKeeper session expires (Flink's default
    // 60 s): 10 s lets a new one take over sooner, and still rides out a long GC pause
    ha.put("high-availability.zookeeper.client.session-timeout", "10000");
    return ha;
  }

  /** The cluster's jars, as resolved by local-services/flink-cluster. */
  static String classpath() {
    return ServerClasspath.of("flink", "Flink").asArgument();
  }

  /** JVM options and dynamic settings for a role, from Flink's BashJavaUtils. */
  private List<List<String>> resourceParams(String command, String classpath)
      throws IOException, InterruptedException {
    List<String> cmd =
        List.of(
            javaBin.toString(),
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            classpath,
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            command,
            "--configDir",
            confDir().toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("BashJavaUtils " + command + " failed:\n" + output);
    }
    List<String> results = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
      }
    }
    if (results.size() < 2) {
      throw new IOException("BashJavaUtils " + command + " printed no result:\n" + output);
    }
    List<String> jvm = split(results.get(results.size() - 2));
    List<String> dynamic = split(results.get(results.size() - 1));
    return List.of(jvm, dynamic);
  }

  /**
   * The role's Java options from the cluster's configuration, as flink-dist's scripts add them:
   * {@code env.java.opts.all}, then {@code env.java.opts.jobmanager} or {@code
   * env.java.opts.taskmanager} (where Freshet's config picks the TaskManager's garbage collector).
   */
  private static List<String> javaOptions(Configuration conf, String role) {
    List<String> opts = new ArrayList<>(split(conf.get(CoreOptions.FLINK_JVM_OPTIONS)));
    opts.addAll(
        split(
            conf.get(
                role.equals(JOBMANAGER)
                    ? CoreOptions.FLINK_JM_JVM_OPTIONS
                    : CoreOptions.FLINK_TM_JVM_OPTIONS)));
    return opts;
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.trim().split("\\s+")) {
      if (!part.isEmpty()) {
        out.add(part);
      }
    }
    return out;
  }

  /** Starts a role's JVM, records its pid, and returns its process. */
  private Process launch(
      Configuration conf, String role, String paramsCommand, String mainClass, String classpath)
      throws IOException, InterruptedException {
    List<List<String>> params = resourceParams(paramsCommand, classpath);
    List<String> cmd = new ArrayList<>();
    cmd.addAll(ProcessControl.ownSession());
    cmd.add(javaBin.toString());
    cmd.add(ServerDefinition.SERVICE_MARKER + role);
    cmd.add(ServerDefinition.STATE_DIR_MARKER + stateDir);
    cmd.addAll(params.get(0));
    cmd.addAll(ADD_OPENS);
    cmd.addAll(javaOptions(conf, role));
    cmd.add("-Dlog.file=" + logFile(role));
    cmd.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties"));
    cmd.add("-Dlog4j2.configurationFile=" + confDir().resolve("log4j.properties"));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.add("--configDir");
    cmd.add(confDir().toString());
    if (role.equals(JOBMANAGER)) {
      cmd.add("--executionMode");
      cmd.add("cluster");
    } else {
      // TaskManagers share config.yaml; each names itself (freshet-taskmanager, -2, ...)
      cmd.add("-D");
      cmd.add("taskmanager.resource-id=freshet-" + role.substring("flink-".length()));
    }
    cmd.addAll(params.get(1));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir().resolve(role + ".out").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // s3:// checkpoints and savepoints: Flink's S3 file system as a plugin, as in a distribution
    pb.environment()
        .put("FLINK_PLUGINS_DIR", FlinkPlugins.install(dir().resolve("plugins")).toString());
    Process p = pb.start();
    ProcessControl.writePid(pidFile(role), p.pid());
    return p;
  }

  /**
   * Waits until every TaskManager's slots are registered; fails as soon as a role's JVM is gone. A
   * JVM this call launched is watched through its process, not its {@code /proc/<pid>/cmdline}:
   * while setsid executes java that file reads empty or cut short for a moment, and a check that
   * hits that moment would call a starting JVM dead.
   */
  private void awaitReady(Duration timeout, Map<String, Process> launched)
      throws IOException, InterruptedException {
    FlinkRest rest = new FlinkRest(restAddress());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String role : roles()) {
        Process p = launched.get(role);
        if (p != null ? !p.isAlive() : pid(role).isEmpty()) {
          throw new IOException(
              role
                  + " exited during start; last lines of "
                  + logFile(role)
                  + " and "
                  + dir().resolve(role + ".out")
                  + ":\n"
                  + LogTail.lastLines(logFile(role), 30)
                  + "\n"
                  + LogTail.lastLines(dir().resolve(role + ".out"), 10));
        }
      }
      try {
        var overview = rest.get("/overview", Duration.ofSeconds(2));
        if (overview.path("taskmanagers").asInt() >= taskManagers
            && overview.path("slots-total").asInt() >= taskManagers) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(250);
    }
    throw new IOException(
        "the Flink cluster did not become ready within "
            + timeout.toSeconds()
            + " s; see "
            + logFile(JOBMANAGER)
            + " and "
            + logFile(TASKMANAGER)
            + (taskManagers > 1 ? " (and the other TaskManagers' logs beside it)" : ""));
  }

  /**
   * Stops the TaskManagers, then the JobManager (SIGTERM, SIGKILL after the timeout); returns the
   * roles that were running.
   */
  public List<String> stop(Duration timeout) {
    List<String> stopped = new ArrayList<>();
    List<String> roles = new ArrayList<>(knownRoles());
    java.util.Collections.reverse(roles);
    for (String role : roles) {
      Optional<Long> pid = pid(role);
      if (pid.isPresent()) {
        ProcessControl.terminate(pid.get(), timeout);
        stopped.add(role);
      }
      forgetPid(role);
    }
    return stopped;
  }

  private void forgetPid(String role) {
    try {
      Files.deleteIfExists(pidFile(role));
    } catch (IOException e) {
      // a stale pid file is harmless: it is checked against /proc
    }
  }
}
