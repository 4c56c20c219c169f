package io.freshet.connectors.cassandra;

import io.freshet.store.StoreNames;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Settings of Freshet's Cassandra online store (the sink and its schema management). Secrets are
 * never values here: give the name of an environment variable or the path of a file holding them.
 */
public final class CassandraOptions {
  private CassandraOptions() {}

  public static final ConfigOption<Boolean> ENABLED =
      ConfigOptions.key("freshet.cassandra.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription("Write current feature vectors to Cassandra (the online store).");

  public static final ConfigOption<List<String>> CONTACT_POINTS =
      ConfigOptions.key("freshet.cassandra.contact-points")
          .stringType()
          .asList()
          .defaultValues("127.0.0.1:29042")
          .withDescription("Cassandra contact points, host:port separated by ';'.");

  public static final ConfigOption<String> LOCAL_DATACENTER =
      ConfigOptions.key("freshet.cassandra.local-datacenter")
          .stringType()
          .defaultValue("datacenter1")
          .withDescription(
              "The data center the writers talk to (token-aware, DC-aware load balancing).");

  public static final ConfigOption<String> KEYSPACE =
      ConfigOptions.key("freshet.cassandra.keyspace")
          .stringType()
          .defaultValue(StoreNames.DEFAULT_KEYSPACE)
          .withDescription("Keyspace of the view tables and of the freshet_views metadata table.");

  public static final ConfigOption<String> KEYSPACE_REPLICATION =
      ConfigOptions.key("freshet.cassandra.keyspace-replication")
          .stringType()
          .defaultValue("{'class': 'SimpleStrategy', 'replication_factor': 1}")
          .withDescription(
              "Replication map used only when the keyspace does not exist yet (CREATE KEYSPACE IF"
                  + " NOT EXISTS). In production create the keyspace yourself, e.g. with"
                  + " NetworkTopologyStrategy, or set this to an empty string to require it.");

  public static final ConfigOption<String> USERNAME =
      ConfigOptions.key("freshet.cassandra.username")
          .stringType()
          .noDefaultValue()
          .withDescription("User name for PLAIN authentication; unset means no authentication.");

  public static final ConfigOption<String> PASSWORD_ENV =
      ConfigOptions.key("freshet.cassandra.password-env")
          .stringType()
          .defaultValue("FRESHET_CASSANDRA_PASSWORD")
          .withDescription(
              "Name of the environment variable holding the password (read on the task managers).");

  public static final ConfigOption<String> PASSWORD_FILE =
      ConfigOptions.key("freshet.cassandra.password-file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Path of a file holding the password (first line; e.g. a mounted Kubernetes secret)."
                  + " Takes precedence over password-env.");

  public static final ConfigOption<Boolean> SSL_ENABLED =
      ConfigOptions.key("freshet.cassandra.ssl.enabled")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "TLS to Cassandra. Without a truststore the JVM's default SSL context is used.");

  public static final ConfigOption<String> SSL_TRUSTSTORE_PATH =
      ConfigOptions.key("freshet.cassandra.ssl.truststore.path")
          .stringType()
          .noDefaultValue()
          .withDescription("Truststore (JKS or PKCS12) with the CA of Cassandra's certificates.");

  public static final ConfigOption<String> SSL_TRUSTSTORE_PASSWORD_ENV =
      ConfigOptions.key("freshet.cassandra.ssl.truststore.password-env")
          .stringType()
          .defaultValue("FRESHET_CASSANDRA_TRUSTSTORE_PASSWORD")
          .withDescription("Name of the environment variable holding the truststore password.");

  public static final ConfigOption<String> SSL_TRUSTSTORE_PASSWORD_FILE =
      ConfigOptions.key("freshet.cassandra.ssl.truststore.password-file")
          .stringType()
          .noDefaultValue()
          .withDescription("Path of a file holding the truststore password.");

  public static final ConfigOption<String> CONSISTENCY =
      ConfigOptions.key("freshet.cassandra.consistency")
          .stringType()
          .defaultValue("LOCAL_QUORUM")
          .withDescription("Consistency level of the writes (ONE, LOCAL_ONE, LOCAL_QUORUM, ...).");

  public static final ConfigOption<Integer> MAX_IN_FLIGHT =
      ConfigOptions.key("freshet.cassandra.max-in-flight")
          .intType()
          .defaultValue(256)
          .withDescription(
              "Writes in flight per writer (subtask). When reached, the writer blocks: backpressure.");

  public static final ConfigOption<Integer> MAX_WAITING =
      ConfigOptions.key("freshet.cassandra.max-waiting")
          .intType()
          .defaultValue(20_000)
          .withDescription(
              "Entities whose newest update waits for an in-flight slot, per writer. A newer update of"
                  + " a waiting entity replaces the older one (only the newest is ever read), so a"
                  + " backfill writes far fewer rows than it emits. When reached, the writer blocks:"
                  + " backpressure.");

  public static final ConfigOption<Duration> HOLD_OLDER_THAN =
      ConfigOptions.key("freshet.cassandra.hold-older-than")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "Updates whose valid_from is older than this at their written_at (processing time),"
                  + " as in a backfill or a catch-up after downtime, are held, newest per entity,"
                  + " until the next checkpoint (or until max-waiting entities wait) instead of"
                  + " being written at once; newer updates are written at once. 0 writes every"
                  + " update at once. Recorded in the history table, where as-served training sets"
                  + " flag the rows it held.");

  public static final ConfigOption<Boolean> DRAIN_ON_CHECKPOINT =
      ConfigOptions.key("freshet.cassandra.drain-on-checkpoint")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "At every checkpoint, wait until every write before it is in Cassandra (the task"
                  + " processes nothing meanwhile) instead of putting the unfinished writes into"
                  + " the checkpoint to be sent again on restore. Off, a checkpoint never waits for"
                  + " Cassandra; on, a completed checkpoint means that Cassandra holds everything"
                  + " before it.");

  public static final ConfigOption<Duration> REQUEST_TIMEOUT =
      ConfigOptions.key("freshet.cassandra.request-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("Driver timeout of one write attempt.");

  public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
      ConfigOptions.key("freshet.cassandra.retry.max-attempts")
          .intType()
          .defaultValue(10)
          .withDescription(
              "Attempts per write for retryable errors (timeouts, unavailable, overloaded, lost"
                  + " connections) before the writer fails the job.");

  public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
      ConfigOptions.key("freshet.cassandra.retry.initial-backoff")
          .durationType()
          .defaultValue(Duration.ofMillis(100))
          .withDescription("Backoff before the first retry; doubles each attempt.");

  public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
      ConfigOptions.key("freshet.cassandra.retry.max-backoff")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("Upper bound of the backoff between retries.");

  public static final ConfigOption<Duration> RECONNECT_MAX_DELAY =
      ConfigOptions.key("freshet.cassandra.reconnect-max-delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription(
              "Longest pause between the driver's attempts to reconnect to a node that went down.");

  public static final ConfigOption<Duration> EXPIRED_RETENTION =
      ConfigOptions.key("freshet.cassandra.expired-retention")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription(
              "How long a vector stays in Cassandra after it expired (last_event_time + view ttl),"
                  + " so that readers see EXPIRED rather than MISSING for a while. 0 drops it at"
                  + " expiry.");

  public static final ConfigOption<Duration> SCHEMA_TIMEOUT =
      ConfigOptions.key("freshet.cassandra.schema-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "How long writers other than subtask 0 wait for subtask 0 to create or evolve the"
                  + " view's table.");
}
