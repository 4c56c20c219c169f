package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The launcher's lifecycle on its own state dir and ports, so shared services are not disturbed:
 * start, start again, status, stop, nothing left behind; and its clear errors.
 */
class LocalServicesLifecycleIT {

  @Test
  void startIsIdempotentAndStopLeavesNoJvmBehind() {
    ServicesConfig config = FreePorts.isolatedConfig("it-lifecycle");
    LocalServices services = new LocalServices(config);
    try {
      List<ServiceStatus> first = services.start();
      assertThat(first)
          .extracting(ServiceStatus::state)
          .containsExactly(ServiceStatus.State.STARTED, ServiceStatus.State.STARTED);
      first.forEach(s -> System.out.println("started: " + s.describe()));
      assertThat(first.get(0).address()).isEqualTo("127.0.0.1:" + config.kafkaPort());
      assertThat(first.get(1).address()).isEqualTo("127.0.0.1:" + config.cqlPort());

      List<ServiceStatus> second = services.start();
      assertThat(second)
          .extracting(ServiceStatus::state)
          .containsExactly(
              ServiceStatus.State.ALREADY_RUNNING, ServiceStatus.State.ALREADY_RUNNING);
      assertThat(second)
          .extracting(ServiceStatus::pid)
          .isEqualTo(first.stream().map(ServiceStatus::pid).toList());

      assertThat(services.status())
          .extracting(ServiceStatus::state)
          .containsOnly(ServiceStatus.State.RUNNING);
      assertThat(services.kafkaBootstrapServers()).isEqualTo("127.0.0.1:" + config.kafkaPort());
      services.requireHealthy(Service.KAFKA);
      services.requireHealthy(Service.CASSANDRA);
      assertThat(ProcessControl.processesUsing(config.stateDir())).hasSize(2);

      // A test JVM sharing services started explicitly must never stop them when it leaves.
      assertThat(services.startShared())
          .extracting(ServiceStatus::state)
          .containsOnly(ServiceStatus.State.ALREADY_RUNNING);
      assertThat(services.releaseShared()).isEmpty();
      assertThat(services.status())
          .extracting(ServiceStatus::state)
          .containsOnly(ServiceStatus.State.RUNNING);
    } finally {
      List<ServiceStatus> stopped = services.stop();
      stopped.forEach(s -> System.out.println("stop: " + s.describe()));
    }
    assertThat(ProcessControl.processesUsing(config.stateDir())).isEmpty();
    assertThat(services.status())
        .extracting(ServiceStatus::state)
        .containsOnly(ServiceStatus.State.NOT_RUNNING);
    assertThat(services.stop())
        .extracting(ServiceStatus::state)
        .containsOnly(ServiceStatus.State.NOT_RUNNING);
  }

  @Test
  void busyPortIsNamedWithItsHolder() throws Exception {
    ServicesConfig config = FreePorts.isolatedConfig("it-busy");
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(
          new InetSocketAddress(InetAddress.getByName(ServicesConfig.HOST), config.cqlPort()));
      assertThatThrownBy(() -> new LocalServices(config).start())
          .isInstanceOf(LocalServicesException.class)
          .hasMessageContaining("Port " + config.cqlPort() + " (Cassandra CQL)")
          .hasMessageContaining("already in use by pid " + ProcessHandle.current().pid());
    }
    assertThat(ProcessControl.processesUsing(config.stateDir())).isEmpty();
  }

  @Test
  void serverDyingDuringStartupIsReportedWithItsLog() throws Exception {
    ServicesConfig config = FreePorts.isolatedConfig("it-dies");
    // A corrupt meta.properties makes the broker exit at once instead of serving.
    java.nio.file.Path data = config.stateDir().resolve("kafka/data");
    Files.createDirectories(data);
    Files.writeString(data.resolve("meta.properties"), "version=7\nnode.id=banana\n");
    LocalServices services = new LocalServices(config);
    assertThatThrownBy(() -> services.start(EnumSet.of(Service.KAFKA)))
        .isInstanceOf(LocalServicesException.class)
        .hasMessageMatching(
            "(?s)Kafka \\(pid \\d+\\) exited during startup with code \\d+; last lines of .*kafka.log:\n.*");
    assertThat(ProcessControl.processesUsing(config.stateDir())).isEmpty();
    services.stop();
  }
}
