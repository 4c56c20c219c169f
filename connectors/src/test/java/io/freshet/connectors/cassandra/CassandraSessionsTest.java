package io.freshet.connectors.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraSessionsTest {
  @Test
  void contactPoints() {
    assertThat(CassandraSessions.parseHostPort("c1:9043", "x").getPort()).isEqualTo(9043);
    assertThat(CassandraSessions.parseHostPort("c1", "x").getPort()).isEqualTo(9042);
    assertThat(CassandraSessions.parseHostPort("[::1]:9050", "x").getHostString()).isEqualTo("::1");
    assertThatThrownBy(() -> CassandraSessions.parseHostPort("c1:nine", "k"))
        .hasMessageContaining("k: 'c1:nine' is not host:port");
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.CONTACT_POINTS, List.of("a:1", "b:2"));
    assertThat(CassandraSessions.contactPoints(conf)).hasSize(2);
  }

  @Test
  void passwordFromFileBeforeEnvironmentAndAClearMessageWithoutEither(@TempDir Path dir)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.USERNAME, "freshet");
    Map<String, String> env = Map.of("FRESHET_CASSANDRA_PASSWORD", "from-env");
    assertThat(CassandraSessions.password(conf, env::get)).isEqualTo("from-env");
    Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
    conf.set(CassandraOptions.PASSWORD_FILE, file.toString());
    assertThat(CassandraSessions.password(conf, env::get)).isEqualTo("from-file");
    Configuration none = new Configuration();
    none.set(CassandraOptions.USERNAME, "freshet");
    assertThatThrownBy(() -> CassandraSessions.password(none, k -> null))
        .hasMessageContaining("there is no password")
        .hasMessageContaining("FRESHET_CASSANDRA_PASSWORD");
  }

  @Test
  void validationNamesTheOptionToFix() {
    Configuration conf = new Configuration();
    conf.set(CassandraOptions.CONSISTENCY, "MOST");
    assertThatThrownBy(() -> CassandraSessions.validate(conf))
        .hasMessageContaining("freshet.cassandra.consistency 'MOST' is not a consistency level");
    Configuration ks = new Configuration();
    ks.set(CassandraOptions.KEYSPACE, "my-keyspace");
    assertThatThrownBy(() -> CassandraSessions.validate(ks))
        .hasMessageContaining("freshet.cassandra.keyspace 'my-keyspace'");
    Configuration inflight = new Configuration();
    inflight.set(CassandraOptions.MAX_IN_FLIGHT, 0);
    assertThatThrownBy(() -> CassandraSessions.validate(inflight))
        .hasMessageContaining("max-in-flight must be at least 1");
  }
}
