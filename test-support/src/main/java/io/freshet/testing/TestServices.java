package io.freshet.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test class's view of the real services: its own Kafka topic names (a unique prefix) and its
 * own Cassandra keyspace, created before the class and dropped after it together with every topic
 * carrying the prefix. Obtained as a parameter from {@link RealServicesExtension}.
 */
public final class TestServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TestServices.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final LocalServices services;
  private final String bootstrapServers;
  private final InetSocketAddress contactPoint;
  private final String topicPrefix;
  private final String keyspace;
  private final CqlSession session;
  private final Admin admin;

  private TestServices(
      LocalServices services,
      String bootstrapServers,
      InetSocketAddress contactPoint,
      String topicPrefix,
      String keyspace,
      CqlSession session,
      Admin admin) {
    this.services = services;
    this.bootstrapServers = bootstrapServers;
    this.contactPoint = contactPoint;
    this.topicPrefix = topicPrefix;
    this.keyspace = keyspace;
    this.session = session;
    this.admin = admin;
  }

  /** Creates the keyspace and clients for one test class. */
  public static TestServices open(LocalServices services, Class<?> testClass) {
    String name = testClass.getSimpleName().replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    String unique = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String base = name.length() > 30 ? name.substring(0, 30) : name;
    String topicPrefix = "it-" + base + "-" + unique + "-";
    String keyspace = "it_" + base + "_" + unique;
    String bootstrap = services.kafkaBootstrapServers();
    InetSocketAddress contactPoint = services.cassandraContactPoint();
    CqlSession session;
    try {
      session =
          services.guarded(
              Service.CASSANDRA,
              () -> {
                try (CqlSession admin = sessionBuilder(contactPoint).build()) {
                  admin.execute(
                      "CREATE KEYSPACE "
                          + keyspace
                          + " WITH replication = {'class': 'SimpleStrategy',"
                          + " 'replication_factor': 1}");
                }
                return sessionBuilder(contactPoint).withKeyspace(keyspace).build();
              });
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create keyspace " + keyspace + ": " + e, e);
    }
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Admin admin = Admin.create(props);
    LOG.info(
        "{}: Kafka {} (topic prefix {}), Cassandra {} (keyspace {})",
        testClass.getSimpleName(),
        bootstrap,
        topicPrefix,
        contactPoint,
        keyspace);
    return new TestServices(
        services, bootstrap, contactPoint, topicPrefix, keyspace, session, admin);
  }

  /** A driver session builder for this Cassandra with test-friendly timeouts (10 s requests). */
  public static CqlSessionBuilder sessionBuilder(InetSocketAddress contactPoint) {
    DriverConfigLoader loader =
        DriverConfigLoader.programmaticBuilder()
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(
                DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(20))
            .build();
    return CqlSession.builder()
        .addContactPoint(contactPoint)
        .withLocalDatacenter(LocalServices.cassandraLocalDatacenter())
        .withConfigLoader(loader);
  }

  // ---- Kafka

  /** Kafka's bootstrap servers, e.g. "127.0.0.1:29092". */
  public String kafkaBootstrapServers() {
    return bootstrapServers;
  }

  /** This class's topic prefix, e.g. "it-ordersit-1a2b3c4d-". */
  public String topicPrefix() {
    return topicPrefix;
  }

  /** The class's name for a topic (prefix + name); does not create it. */
  public String topic(String name) {
    return topicPrefix + name;
  }

  /** Creates the topic {@link #topic(String) topic(name)} and returns its full name. */
  public String createTopic(String name, int partitions) {
    String topic = topic(name);
    try {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw services
          .diagnose(Service.KAFKA, e)
          .<RuntimeException>map(x -> x)
          .orElseGet(() -> new IllegalStateException("Cannot create topic " + topic + ": " + e, e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return topic;
  }

  /** Client properties with {@code bootstrap.servers} set; add serializers etc. yourself. */
  public Properties kafkaProperties() {
    Properties props = new Properties();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /**
   * Every committed record of a topic (its full name), partition by partition in offset order: read
   * up to the end offsets taken when called, so the call ends when the topic is read, or fails
   * after 30 s with how far it got.
   */
  public List<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
    Properties props = kafkaProperties();
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, ADMIN_TIMEOUT).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      java.util.Map<TopicPartition, Long> end = consumer.endOffsets(partitions, ADMIN_TIMEOUT);
      Deadline deadline = Deadline.in(ADMIN_TIMEOUT);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (!deadline.hasTimeLeft()) {
          throw new AssertionError(
              "topic " + topic + " not read to its end offsets " + end + " in " + ADMIN_TIMEOUT);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    out.sort(
        java.util.Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
    return out;
  }

  /** An Admin client shared by the class (do not close it). */
  public Admin kafkaAdmin() {
    return admin;
  }

  // ---- Cassandra

  /** Cassandra's CQL address. */
  public InetSocketAddress cassandraContactPoint() {
    return contactPoint;
  }

  /** The local data center name the driver needs. */
  public String cassandraLocalDatacenter() {
    return LocalServices.cassandraLocalDatacenter();
  }

  /** This class's keyspace (SimpleStrategy, replication factor 1). */
  public String keyspace() {
    return keyspace;
  }

  /** A session bound to {@link #keyspace()}, shared by the class (do not close it). */
  public CqlSession cqlSession() {
    return session;
  }

  // ---- Health

  /** The launcher behind these services: status, health checks, pids. */
  public LocalServices localServices() {
    return services;
  }

  /** Fails with a message naming the service, its pid and last log lines unless both run. */
  public void requireHealthy() {
    services.requireHealthy(Service.KAFKA);
    services.requireHealthy(Service.CASSANDRA);
  }

  /**
   * Runs a client call; if it fails because the service is down, throws a
   * ServiceUnavailableException that says so ("Cassandra at 127.0.0.1:29042 is not reachable (pid N
   * exited; last log lines: ...)") instead of the driver's own error.
   */
  public <T> T guarded(Service service, Callable<T> call) throws Exception {
    return services.guarded(service, call);
  }

  @Override
  public void close() {
    try {
      Set<String> topics =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
              .filter(t -> t.startsWith(topicPrefix))
              .collect(Collectors.toSet());
      if (!topics.isEmpty()) {
        admin.deleteTopics(topics).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Could not delete topics {}*: {}", topicPrefix, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
    try {
      session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
    } catch (RuntimeException e) {
      LOG.warn("Could not drop keyspace {}: {}", keyspace, e.toString());
    } finally {
      session.close();
    }
  }
}
