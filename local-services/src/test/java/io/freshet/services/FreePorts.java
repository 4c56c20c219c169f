package io.freshet.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Ports the OS reports free right now, for test instances that must not meet shared ones. */
final class FreePorts {
  private FreePorts() {}

  static int[] take(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(ServicesConfig.HOST), 0));
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // ignore
        }
      }
    }
  }

  /** A config on its own state dir under target/ and its own free ports. */
  static ServicesConfig isolatedConfig(String name) {
    int[] ports = take(4);
    return ServicesConfig.builder()
        .stateDir(
            java.nio.file.Path.of("target", name + "-" + Long.toHexString(System.nanoTime()))
                .toAbsolutePath())
        .kafkaPort(ports[0])
        .kafkaControllerPort(ports[1])
        .cqlPort(ports[2])
        .cassandraStoragePort(ports[3])
        .build();
  }
}
