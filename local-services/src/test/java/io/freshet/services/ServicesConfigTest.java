package io.freshet.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServicesConfigTest {

  @Test
  void defaultsAvoidTheUsualPortsAndLiveUnderTheCheckout() {
    ServicesConfig c =
        ServicesConfig.builderFrom(Map.of(), Map.of("freshet.home", "/repo")::get).build();
    assertThat(c.stateDir()).isEqualTo(Path.of("/repo/.freshet"));
    assertThat(c.logDir()).isEqualTo(Path.of("/repo/.freshet/logs"));
    assertThat(c.kafkaPort()).isEqualTo(29092);
    assertThat(c.kafkaControllerPort()).isEqualTo(29093);
    assertThat(c.cqlPort()).isEqualTo(29042);
    assertThat(c.cassandraStoragePort()).isEqualTo(27000);
  }

  @Test
  void systemPropertiesWinOverEnvironmentVariables() {
    Map<String, String> env =
        Map.of(
            "FRESHET_STATE_DIR",
            "/env-state",
            "FRESHET_KAFKA_PORT",
            "1111",
            "FRESHET_CQL_PORT",
            "2222");
    Map<String, String> props = Map.of("freshet.kafka.port", "3333");
    ServicesConfig c = ServicesConfig.builderFrom(env, props::get).build();
    assertThat(c.stateDir()).isEqualTo(Path.of("/env-state"));
    assertThat(c.kafkaPort()).isEqualTo(3333);
    assertThat(c.cqlPort()).isEqualTo(2222);
  }

  @Test
  void badSettingsSayWhatToFix() {
    assertThatThrownBy(
            () -> ServicesConfig.builderFrom(Map.of("FRESHET_CQL_PORT", "x"), k -> null).build())
        .hasMessageContaining("FRESHET_CQL_PORT")
        .hasMessageContaining("'x'");
    assertThatThrownBy(() -> ServicesConfig.builder().kafkaPort(29042).build())
        .hasMessageContaining("Port 29042 is configured twice");
    assertThatThrownBy(() -> ServicesConfig.builder().cqlPort(70000))
        .hasMessageContaining("Cassandra CQL port must be between 1 and 65535, got 70000");
  }
}
