package io.freshet.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.freshet.connectors.cassandra.CassandraOptions;
import io.freshet.connectors.cassandra.CassandraSessions;
import io.freshet.connectors.kafka.KafkaOptions;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * What {@code freshet run} checks before it starts a job: that the Kafka cluster and (when the
 * online store is on) the Cassandra cluster of the job's settings answer, with the job's own client
 * settings ({@code freshet.kafka.consumer.*}, Cassandra's credentials and TLS). A dependency that
 * is down at startup is then one message that says what to fix and a non-zero exit, before the job
 * has created any topic, keyspace or table, instead of a job that restarts until its restart
 * strategy gives up.
 */
final class Preflight {
  /** How long each dependency has to answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private Preflight() {}

  /** Checks both dependencies of a job with {@code conf}; throws a CliException naming the fix. */
  static void check(Configuration conf) {
    kafka(conf);
    if (conf.get(CassandraOptions.ENABLED)) {
      cassandra(conf);
    }
  }

  static void kafka(Configuration conf) {
    String servers = conf.get(KafkaOptions.BOOTSTRAP_SERVERS);
    Properties props = new Properties();
    // the source's client settings (security among them) that an admin client knows too
    props.putAll(KafkaOptions.consumerSettings(conf));
    // the properties file's entries themselves, not the references the job's clients resolve
    props.putAll(KafkaOptions.clientProperties(conf));
    props.keySet().removeIf(k -> !AdminClientConfig.configNames().contains(k.toString()));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "freshet-run-preflight");
    try (Admin admin = Admin.create(props)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
          .nodes()
          .get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new CliException(
          "Kafka at "
              + servers
              + " did not answer within "
              + TIMEOUT.toSeconds()
              + " s ("
              + cause.getMessage()
              + "): start it (bin/freshet services start runs a local one) or give its address"
              + " with --set freshet.kafka.bootstrap-servers=HOST:PORT; nothing was started");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while checking Kafka at " + servers);
    }
  }

  static void cassandra(Configuration conf) {
    String points = String.join(",", conf.get(CassandraOptions.CONTACT_POINTS));
    try (CqlSession s = CassandraSessions.open(conf)) {
      s.execute("SELECT release_version FROM system.local");
    } catch (RuntimeException e) {
      throw new CliException(
          "Cassandra at "
              + points
              + " (local datacenter "
              + conf.get(CassandraOptions.LOCAL_DATACENTER)
              + ") did not answer: "
              + firstLine(e.getMessage())
              + ". Start it (bin/freshet services start runs a local one), give its address with"
              + " --set freshet.cassandra.contact-points=HOST:PORT, or run without the online"
              + " store (--set freshet.cassandra.enabled=false); nothing was started");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
