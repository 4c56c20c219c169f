package io.freshet.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports on 127.0.0.1 for a server that is about to start (a private Kafka, a test's Flink
 * cluster, a local run's REST endpoint), taken from below the kernel's ephemeral range.
 *
 * <p>A port the OS hands out for {@code bind(0)} comes from the ephemeral range, the same range
 * every outgoing connection on the machine draws its local port from: between probing such a port
 * and the server binding it a few seconds later, a Kafka client or a driver may take it, and the
 * server fails with "address in use". Below the range only another server asking for that very port
 * can take it. The search starts at a random port so that two processes rarely probe the same
 * ports; it skips the local services' default ports.
 */
public final class LoopbackPorts {
  /** The lowest port handed out. */
  static final int LOWEST = 20_000;

  /** Ports the shared local services use by default: never handed out, even when free. */
  private static final Set<Integer> RESERVED =
      Set.of(
          ServicesConfig.DEFAULT_KAFKA_PORT,
          ServicesConfig.DEFAULT_KAFKA_CONTROLLER_PORT,
          ServicesConfig.DEFAULT_CQL_PORT,
          ServicesConfig.DEFAULT_CASSANDRA_STORAGE_PORT,
          ServicesConfig.DEFAULT_REST_CATALOG_PORT,
          ServicesConfig.DEFAULT_OBJECT_STORE_PORT);

  private LoopbackPorts() {}

  /** One free port. */
  public static int free() {
    return free(1)[0];
  }

  /** {@code n} distinct ports that 127.0.0.1 could bind right now. */
  public static int[] free(int n) {
    int top = ephemeralLow(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    List<ServerSocket> held = new ArrayList<>();
    try {
      InetAddress host = InetAddress.getByName(ServicesConfig.HOST);
      int span = top - LOWEST;
      if (span < 1_000) {
        // an unusual ephemeral range: fall back to the OS's choice
        for (int i = 0; i < n; i++) {
          held.add(bind(host, 0));
        }
      } else {
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span && held.size() < n; i++) {
          int port = LOWEST + (start + i) % span;
          if (RESERVED.contains(port)) {
            continue;
          }
          try {
            held.add(bind(host, port));
          } catch (IOException busy) {
            // taken: try the next one
          }
        }
        if (held.size() < n) {
          throw new IOException(
              "fewer than " + n + " free ports between " + LOWEST + " and " + top + " on " + host);
        }
      }
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ports[i] = held.get(i).getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // the port was only probed
        }
      }
    }
  }

  private static ServerSocket bind(InetAddress host, int port) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress(host, port));
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /**
   * The first port of the kernel's ephemeral range ({@code ip_local_port_range}, "32768 60999" by
   * default on Linux); 32768 where the file cannot be read.
   */
  static int ephemeralLow(Path rangeFile) {
    try {
      // read by line: Files.readString and readAllBytes return "3" for this sysctl file on JDK 17
      String[] range =
          Files.readAllLines(rangeFile, StandardCharsets.US_ASCII).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
