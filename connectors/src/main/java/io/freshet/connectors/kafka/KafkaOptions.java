package io.freshet.connectors.kafka;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Settings of Freshet's Kafka source and dead-letter sink. */
public final class KafkaOptions {
  private KafkaOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("freshet.kafka.bootstrap-servers")
          .stringType()
          .defaultValue("127.0.0.1:29092")
          .withDescription(
              "Kafka bootstrap servers of the source topic and the dead-letter topic.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("freshet.kafka.group-id")
          .stringType()
          .noDefaultValue()
          .withDescription("Consumer group id; default freshet-<source name>.");

  public static final ConfigOption<String> STARTING_OFFSETS =
      ConfigOptions.key("freshet.kafka.starting-offsets")
          .stringType()
          .defaultValue("committed-or-earliest")
          .withDescription(
              "Where a job without a checkpoint starts: earliest, latest, or"
                  + " committed-or-earliest (the group's committed offsets, else the earliest).");

  public static final ConfigOption<Boolean> BOUNDED =
      ConfigOptions.key("freshet.kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "A bounded source: stop at the topic's end offsets as of job start and finish the"
                  + " job (tests). The feature state is then lost with the job; freshet run"
                  + " --until-end runs unbounded and stops with a savepoint instead.");

  public static final ConfigOption<Integer> MAX_STRING_LENGTH =
      ConfigOptions.key("freshet.kafka.max-string-length")
          .intType()
          .defaultValue(EventDecoder.Limits.DEFAULTS.maxStringLength())
          .withDescription(
              "The longest entity id or string value (of the fields the views read), in"
                  + " characters; a longer one sends its record to the dead letters (OVERSIZED).");

  public static final ConfigOption<java.time.Duration> MAX_EVENT_TIME_AHEAD =
      ConfigOptions.key("freshet.kafka.max-event-time-ahead")
          .durationType()
          .defaultValue(java.time.Duration.ofMillis(EventDecoder.Limits.DEFAULTS.maxAheadMillis()))
          .withDescription(
              "How far an event time may be ahead of its Kafka record's timestamp; further"
                  + " sends the record to the dead letters (BAD_EVENT_TIME). 0 turns the check"
                  + " off.");

  public static final ConfigOption<String> VALUE_FORMAT =
      ConfigOptions.key("freshet.kafka.value-format")
          .stringType()
          .defaultValue("avro")
          .withDescription(
              "How the source topic's values are framed: avro (plain Avro binary of the spec's"
                  + " schema), single-object (Avro's single-object encoding: C3 01 and the writer"
                  + " schema's fingerprint) or confluent (the Confluent wire format: 00 and a"
                  + " schema registry id). Framed records are read with their writer schema,"
                  + " resolved against the spec's by Avro's rules; one that cannot be goes to the"
                  + " dead letters as SCHEMA_MISMATCH.");

  public static final ConfigOption<String> WRITER_SCHEMAS =
      ConfigOptions.key("freshet.kafka.writer-schemas")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "A directory of the producers' writer schemas (.avsc): found by fingerprint for"
                  + " single-object values, and, named <id>.avsc, by schema id for confluent"
                  + " values. It must be at this path wherever the job runs.");

  public static final ConfigOption<String> SCHEMA_REGISTRY_URL =
      ConfigOptions.key("freshet.kafka.schema-registry.url")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "A schema registry with the Confluent API (Confluent's, Apicurio's ccompat, ...)"
                  + " for the writer schemas of confluent values: GET <url>/schemas/ids/<id>. A"
                  + " registry that does not answer fails the read (the job restarts), never a"
                  + " dead letter.");

  /** The source's framing from {@link #VALUE_FORMAT} and the writer schemas' settings. */
  public static EventDecoder.Wire wire(org.apache.flink.configuration.Configuration conf) {
    String format = conf.get(VALUE_FORMAT).trim().toLowerCase(java.util.Locale.ROOT);
    EventDecoder.Wire.Format f =
        switch (format) {
          case "avro" -> EventDecoder.Wire.Format.AVRO;
          case "single-object" -> EventDecoder.Wire.Format.SINGLE_OBJECT;
          case "confluent" -> EventDecoder.Wire.Format.CONFLUENT;
          default ->
              throw new IllegalArgumentException(
                  VALUE_FORMAT.key()
                      + " is '"
                      + format
                      + "'; use avro, single-object or confluent");
        };
    return new EventDecoder.Wire(f, conf.get(WRITER_SCHEMAS), conf.get(SCHEMA_REGISTRY_URL));
  }

  public static final ConfigOption<String> PROPERTIES_FILE =
      ConfigOptions.key("freshet.kafka.properties-file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "A Kafka client properties file (security.protocol, sasl.*, ssl.*, as Kafka's own"
                  + " tools take with --command-config) for every client of the job: the source,"
                  + " the dead-letter and violation sinks. The job names its entries by reference"
                  + " (Kafka's FileConfigProvider), so that no secret of it enters the job's"
                  + " configuration, graph or web UI; the file must be at this path wherever the"
                  + " job runs (a mounted Secret on Kubernetes).");

  /** The config provider alias under which {@link #PROPERTIES_FILE}'s entries are referenced. */
  private static final String PROVIDER = "freshetfile";

  /**
   * The entries of {@link #PROPERTIES_FILE} as references that a Kafka client resolves when it is
   * made ({@code ssl.truststore.password=${freshetfile:/path:ssl.truststore.password}}), plus the
   * provider they need; empty without the setting. The file is read here for its keys only.
   */
  public static java.util.Map<String, String> securitySettings(
      org.apache.flink.configuration.Configuration conf) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    String file = conf.get(PROPERTIES_FILE);
    if (file == null || file.isBlank()) {
      return out;
    }
    java.nio.file.Path path = java.nio.file.Path.of(file).toAbsolutePath();
    for (String key : loadProperties(path).stringPropertyNames()) {
      out.put(key, "${" + PROVIDER + ":" + path + ":" + key + "}");
    }
    out.put("config.providers", PROVIDER);
    out.put(
        "config.providers." + PROVIDER + ".class",
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    return out;
  }

  /**
   * The entries of {@link #PROPERTIES_FILE} as they are (secrets included), for a client made in
   * this JVM; empty without the setting.
   */
  public static java.util.Properties clientProperties(
      org.apache.flink.configuration.Configuration conf) {
    String file = conf.get(PROPERTIES_FILE);
    return file == null || file.isBlank()
        ? new java.util.Properties()
        : loadProperties(java.nio.file.Path.of(file));
  }

  /**
   * A Kafka client properties file as it is (secrets included), for clients made in this JVM (the
   * command line's); fails naming the file when it cannot be read.
   */
  public static java.util.Properties loadProperties(java.nio.file.Path file) {
    java.util.Properties p = new java.util.Properties();
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          PROPERTIES_FILE.key() + ": cannot read the Kafka client properties " + file + ": " + e,
          e);
    }
    return p;
  }

  /**
   * The source consumer's settings: {@link #CONSUMER_DEFAULTS}, the {@link #securitySettings}, and
   * every {@code freshet.kafka.consumer.<property>} of {@code conf} (prefix removed) over them.
   */
  public static java.util.Map<String, String> consumerSettings(
      org.apache.flink.configuration.Configuration conf) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>(CONSUMER_DEFAULTS);
    out.putAll(securitySettings(conf));
    conf.toMap()
        .forEach(
            (k, v) -> {
              if (k.startsWith(CONSUMER_PREFIX)) {
                out.put(k.substring(CONSUMER_PREFIX.length()), v);
              }
            });
    return out;
  }

  /** The decoder's limits from {@link #MAX_STRING_LENGTH} and {@link #MAX_EVENT_TIME_AHEAD}. */
  public static EventDecoder.Limits limits(org.apache.flink.configuration.Configuration conf) {
    return new EventDecoder.Limits(
        conf.get(MAX_STRING_LENGTH), conf.get(MAX_EVENT_TIME_AHEAD).toMillis());
  }

  /**
   * Prefix of settings handed to the source's Kafka consumer as they are, e.g. {@code
   * freshet.kafka.consumer.fetch.max.wait.ms=50}; they override {@link #CONSUMER_DEFAULTS}.
   */
  public static final String CONSUMER_PREFIX = "freshet.kafka.consumer.";

  /**
   * The consumer settings Freshet changes from Kafka's defaults. A fetch is answered once 64 KiB
   * are there or after 20 ms: with Kafka's defaults (1 byte, 500 ms) a live source at a few
   * thousand events per second fetched a handful of records at a time, and the fetch loop was the
   * job's largest CPU cost (docs/benchmarks.md, "Freshness"); 20 ms is the most it adds to an
   * event's delay. Records of transactional producers are read once committed ({@code
   * isolation.level=read_committed}; aborted ones never).
   */
  public static final java.util.Map<String, String> CONSUMER_DEFAULTS =
      java.util.Map.of(
          "fetch.min.bytes",
          "65536",
          "fetch.max.wait.ms",
          "20",
          // records of transactional producers only once committed; Kafka's default,
          // read_uncommitted, would feed aborted records into the features
          "isolation.level",
          "read_committed");
}
