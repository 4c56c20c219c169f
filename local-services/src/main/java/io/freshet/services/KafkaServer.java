package io.freshet.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * A single-node KRaft Kafka (broker and controller in one JVM, replication factor 1), storage
 * formatted on first start with {@code kafka.tools.StorageTool}.
 */
final class KafkaServer extends ServerDefinition {
  private Admin admin;
  private String clusterId = "";

  KafkaServer(ServicesConfig config) {
    super(config, Service.KAFKA);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.kafkaPort(), "Kafka broker");
    ports.put(config.kafkaControllerPort(), "Kafka controller");
    return ports;
  }

  @Override
  int clientPort() {
    return config.kafkaPort();
  }

  private Path dataDir() {
    return dir().resolve("data");
  }

  private Path serverProperties() {
    return dir().resolve("server.properties");
  }

  private Path log4jConfig() {
    return dir().resolve("log4j2.properties");
  }

  @Override
  void prepare(Path java) throws IOException, InterruptedException {
    Files.createDirectories(dataDir());
    String host = ServicesConfig.HOST;
    int port = config.kafkaPort();
    int controller = config.kafkaControllerPort();
    LocalSecurity security = LocalSecurity.of(config.stateDir());
    List<String> listeners =
        security.enabled()
            ? secureListeners(security, host, port, controller)
            : List.of(
                "listeners=PLAINTEXT://"
                    + host
                    + ":"
                    + port
                    + ",CONTROLLER://"
                    + host
                    + ":"
                    + controller,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    String props =
        String.join(
            "\n",
            "# Written by Freshet's local services on every start; edits are overwritten.",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + host + ":" + controller,
            "controller.listener.names=CONTROLLER",
            String.join("\n", listeners),
            "log.dirs=" + dataDir(),
            "num.partitions=1",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=4",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=true",
            "num.network.threads=2",
            "num.io.threads=4",
            "num.recovery.threads.per.data.dir=1",
            "");
    if (security.enabled()) {
      LocalSecurity.writePrivate(serverProperties(), props);
    } else {
      Files.writeString(serverProperties(), props, StandardCharsets.UTF_8);
    }
    String log4j =
        String.join(
            "\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = STDOUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = STDOUT",
            "logger.state.name = state.change.logger",
            "logger.state.level = WARN",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "logger.clients.name = org.apache.kafka.clients",
            "logger.clients.level = WARN",
            "");
    Files.writeString(log4jConfig(), log4j, StandardCharsets.UTF_8);
    if (!Files.exists(dataDir().resolve("meta.properties"))) {
      format(java);
    }
  }

  /**
   * Clients on SASL_SSL with SCRAM-SHA-512 (the broker itself logs in as the same user); the
   * controller listener on TLS with client certificates required, which only the broker has.
   */
  private static List<String> secureListeners(
      LocalSecurity security, String host, int port, int controller) throws IOException {
    String storePassword = security.storePassword();
    return List.of(
        "listeners=SASL_SSL://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controller,
        "advertised.listeners=SASL_SSL://" + host + ":" + port,
        "inter.broker.listener.name=SASL_SSL",
        "listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms=" + LocalSecurity.SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol=" + LocalSecurity.SCRAM_MECHANISM,
        "listener.name.sasl_ssl."
            + LocalSecurity.SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT)
            + ".sasl.jaas.config="
            + LocalSecurity.jaas(LocalSecurity.USER, security.kafkaPassword()),
        "listener.name.controller.ssl.client.auth=required",
        "ssl.keystore.type=PKCS12",
        "ssl.keystore.location=" + security.keystore(),
        "ssl.keystore.password=" + storePassword,
        "ssl.key.password=" + storePassword,
        "ssl.truststore.type=PKCS12",
        "ssl.truststore.location=" + security.truststore(),
        "ssl.truststore.password=" + storePassword);
  }

  private void format(Path java) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.add(SERVICE_MARKER + service.id() + "-format");
    cmd.add(STATE_DIR_MARKER + config.stateDir());
    // A short-lived tool: the C1 compiler and serial GC start it faster on 2 cores.
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dlog4j2.configurationFile=" + log4jConfig());
    cmd.add("-cp");
    cmd.add(ServerClasspath.of(service).asArgument());
    cmd.add("kafka.tools.StorageTool");
    cmd.addAll(List.of("format", "-t", newClusterId(), "-c", serverProperties().toString()));
    LocalSecurity security = LocalSecurity.of(config.stateDir());
    if (security.enabled()) {
      // SCRAM users of a KRaft cluster are records of its metadata log, added when it is formatted
      cmd.addAll(
          List.of(
              "--add-scram",
              LocalSecurity.SCRAM_MECHANISM
                  + "=[name="
                  + LocalSecurity.USER
                  + ",password="
                  + security.kafkaPassword()
                  + "]"));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new LocalServicesException(
          "Formatting Kafka's storage in " + dataDir() + " did not finish within 60 s");
    }
    if (p.exitValue() != 0) {
      throw new LocalServicesException(
          "Formatting Kafka's storage in "
              + dataDir()
              + " failed (exit code "
              + p.exitValue()
              + "); last lines of "
              + logFile()
              + ":\n"
              + LogTail.lastLines(logFile(), 30));
    }
  }

  /** A cluster id in Kafka's Uuid format: 16 random bytes, URL-safe base64 without padding. */
  private static String newClusterId() {
    SecureRandom random = new SecureRandom();
    while (true) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  @Override
  List<String> jvmArguments() {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "-Xms512m",
            "-Xmx512m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + log4jConfig(),
            "-Dkafka.logs.dir=" + config.logDir(),
            "-cp",
            ServerClasspath.of(service).asArgument(),
            "kafka.Kafka",
            serverProperties().toString()));
    return args;
  }

  @Override
  boolean probeReady(Duration timeout) {
    if (!Ports.accepts(config.kafkaPort(), (int) Math.min(timeout.toMillis(), 1000))) {
      return false;
    }
    if (admin == null) {
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address());
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
      props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, "freshet-local-services-probe");
      LocalSecurity security = LocalSecurity.of(config.stateDir());
      if (security.enabled()) {
        try {
          props.putAll(security.kafkaClientSettings());
        } catch (IOException e) {
          throw new LocalServicesException(
              "Cannot read " + security.kafkaClientProperties() + ": " + e, e);
        }
      }
      admin = Admin.create(props);
    }
    try {
      var result =
          admin.describeCluster(
              new DescribeClusterOptions().timeoutMs((int) Math.max(timeout.toMillis(), 500)));
      Collection<Node> nodes = result.nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
      clusterId = result.clusterId().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
      return !nodes.isEmpty();
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  String readyDetail() {
    return "cluster id " + clusterId;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(2));
      admin = null;
    }
  }
}
