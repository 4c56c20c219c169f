package io.freshet.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A standalone Apache ZooKeeper 3.9 ({@code ZooKeeperServerMain}) on 127.0.0.1, its data under the
 * state dir, for Flink's JobManager high availability (leader election, the job graph and
 * checkpoint stores' pointers): a JobManager killed and started again takes its jobs back from it.
 * The admin HTTP server (default port 8080) is off; of the four-letter words only {@code ruok} and
 * {@code srvr} answer.
 */
final class ZooKeeperServer extends ServerDefinition {
  private String version = "";

  ZooKeeperServer(ServicesConfig config) {
    super(config, Service.ZOOKEEPER);
  }

  @Override
  LinkedHashMap<Integer, String> ports() {
    LinkedHashMap<Integer, String> ports = new LinkedHashMap<>();
    ports.put(config.zookeeperPort(), "ZooKeeper");
    return ports;
  }

  @Override
  int clientPort() {
    return config.zookeeperPort();
  }

  private Path zooCfg() {
    return dir().resolve("zoo.cfg");
  }

  @Override
  void prepare(Path java) throws IOException {
    Files.createDirectories(dir().resolve("data"));
    Files.writeString(
        zooCfg(),
        String.join(
            "\n",
            "# Written by Freshet's local services on every start; edits are overwritten.",
            "tickTime=2000",
            "dataDir=" + dir().resolve("data"),
            "clientPort=" + config.zookeeperPort(),
            "clientPortAddress=" + ServicesConfig.HOST,
            "maxClientCnxns=100",
            "admin.enableServer=false",
            "4lw.commands.whitelist=ruok,srvr",
            "autopurge.snapRetainCount=3",
            "autopurge.purgeInterval=1",
            ""),
        StandardCharsets.UTF_8);
  }

  @Override
  List<String> jvmArguments() {
    return List.of(
        "-Xms32m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        "-Dzookeeper.jmx.log4j.disable=true",
        "-cp",
        ServerClasspath.of(service).asArgument(),
        "org.apache.zookeeper.server.ZooKeeperServerMain",
        zooCfg().toString());
  }

  @Override
  boolean probeReady(Duration timeout) {
    String srvr = fourLetterWord("srvr", timeout);
    if (srvr == null || !srvr.contains("Mode: standalone")) {
      return false;
    }
    for (String line : srvr.split("\n")) {
      if (line.startsWith("Zookeeper version:")) {
        version = line.substring("Zookeeper version:".length()).trim().split(",")[0];
      }
    }
    return true;
  }

  /** ZooKeeper's answer to a four-letter word, or null when it does not answer. */
  private String fourLetterWord(String word, Duration timeout) {
    int millis = (int) Math.max(200, Math.min(timeout.toMillis(), 5_000));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ServicesConfig.HOST, config.zookeeperPort()), millis);
      s.setSoTimeout(millis);
      OutputStream out = s.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  String readyDetail() {
    return "version " + version;
  }
}
