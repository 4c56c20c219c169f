package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackPortsTest {

  @Test
  void handsOutDistinctBindablePortsBelowTheEphemeralRange() throws Exception {
    Path rangeFile = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    int top = LoopbackPorts.ephemeralLow(rangeFile);
    if (Files.isReadable(rangeFile)) {
      // the kernel never hands out ports below 1024 for bind(0)
      assertThat(top).isGreaterThanOrEqualTo(1024);
    }
    for (int round = 0; round < 20; round++) {
      int[] ports = LoopbackPorts.free(6);
      assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(6);
      for (int port : ports) {
        if (top - LoopbackPorts.LOWEST >= 1_000) {
          assertThat(port).isBetween(LoopbackPorts.LOWEST, top - 1);
        }
        assertThat(port)
            .isNotIn(
                ServicesConfig.DEFAULT_KAFKA_PORT,
                ServicesConfig.DEFAULT_KAFKA_CONTROLLER_PORT,
                ServicesConfig.DEFAULT_CQL_PORT,
                ServicesConfig.DEFAULT_CASSANDRA_STORAGE_PORT,
                ServicesConfig.DEFAULT_REST_CATALOG_PORT);
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress(InetAddress.getByName(ServicesConfig.HOST), port));
          assertThat(s.getLocalPort()).isEqualTo(port);
        }
      }
    }
  }

  @Test
  void readsTheEphemeralRangeAndFallsBackToTheLinuxDefault(@TempDir Path dir) throws Exception {
    Path range = dir.resolve("ip_local_port_range");
    Files.writeString(range, "40000\t50000\n");
    assertThat(LoopbackPorts.ephemeralLow(range)).isEqualTo(40000);
    Files.writeString(range, "garbage");
    assertThat(LoopbackPorts.ephemeralLow(range)).isEqualTo(32768);
    assertThat(LoopbackPorts.ephemeralLow(dir.resolve("missing"))).isEqualTo(32768);
  }
}
