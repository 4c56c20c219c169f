package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.connectors.cassandra.CassandraSessions;
import io.freshet.services.LocalSecurity;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.services.ServicesConfig;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code services start --secure} end to end: a Kafka broker (SASL_SSL, SCRAM-SHA-512) and a
 * Cassandra node (TLS, password) of the test's own refuse clients without the right credentials or
 * without TLS; the job reads, dead-letters and writes through them with settings that name files
 * only, and no secret shows in Flink's configuration pages, the job graph or the servers' logs; the
 * serving client, {@code freshet get} and {@code freshet dead-letters} read through them; Cassandra
 * and the history equal the naive oracle, and so does a training set.
 */
@RealServices
class SecureServicesIT {
  private static final String NAMESPACE = "secure_it";
  private static final Pattern JAAS_PASSWORD = Pattern.compile("password=\"([^\"]+)\"");

  @Test
  @Timeout(900)
  void jobServingAndTrainingRunOnSecuredKafkaAndCassandra(TestServices services) throws Exception {
    Path dir = Path.of("target", "secure-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    ServicesConfig config =
        ServicesConfig.onFreePorts(dir.resolve("services")).toBuilder().secure(true).build();
    LocalServices own = new LocalServices(config);
    own.start(EnumSet.of(Service.KAFKA, Service.CASSANDRA));
    try {
      LocalSecurity security = LocalSecurity.of(config.stateDir());
      assertThat(security.enabled()).as("the secured setup of %s", config.stateDir()).isTrue();
      try (Stream<Path> files = Files.list(security.dir())) {
        for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".crt")).toList()) {
          assertThat(Files.getPosixFilePermissions(f))
              .as("permissions of %s", f)
              .doesNotContain(
                  PosixFilePermission.GROUP_READ,
                  PosixFilePermission.OTHERS_READ,
                  PosixFilePermission.OTHERS_WRITE);
        }
      }
      String bootstrap = own.kafkaBootstrapServers();
      InetSocketAddress cql = own.cassandraContactPoint();
      String contactPoint = cql.getHostString() + ":" + cql.getPort();
      Properties kafka = security.kafkaClientSettings();
      List<String> secrets = secrets(security, kafka);

      refusesWrongCredentials(bootstrap, kafka, cql);

      String topic = "secure-payments";
      try (Admin admin = Admin.create(withServers(kafka, bootstrap))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, 2, (short) 1),
                    new NewTopic(topic + ".dead-letters", 1, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "secure_risk");
      FeatureSpec spec = SpecParser.parse(specFile);
      ViewSpec view = spec.views().get(0);
      PaymentsGenerator generator = EndToEndChecks.dayWithoutLateEvents(47);
      List<PaymentsGenerator.Event> all = new ArrayList<>();
      generator.forEach(all::add);
      try (KafkaPublisher out = new KafkaPublisher(bootstrap, kafka, topic, 0)) {
        KafkaPublisher.publish(all, out, n -> {});
      }

      Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, NAMESPACE);
      String group = "secure-" + UUID.randomUUID();
      sets.put("freshet.kafka.bootstrap-servers", bootstrap);
      sets.put("freshet.kafka.group-id", group);
      sets.put("freshet.kafka.starting-offsets", "earliest");
      sets.put("freshet.kafka.properties-file", security.kafkaClientProperties().toString());
      sets.put("freshet.cassandra.contact-points", contactPoint);
      sets.putAll(security.cassandraClientSettings());
      Configuration conf = FeatureJobRunner.localConfiguration(Path.of("../flink-conf"), sets);
      StringWriter progress = new StringWriter();
      List<String> pagesChecked = new ArrayList<>();
      FeatureJobRunner.Result r =
          FeatureJobRunner.runLocal(
              spec,
              conf,
              new PrintWriter(progress),
              false,
              UntilEnd.take(bootstrap, kafka, topic, group, UntilEnd.Start.EARLIEST),
              id -> {
                for (String secret : secrets) {
                  EndToEndChecks.secretsHidden(conf, id, secret, "password");
                }
                pagesChecked.add(id);
              });
      assertThat(pagesChecked).as("jobs whose configuration pages were checked").hasSize(1);
      assertThat(r.last().restarts()).as("restarts: %s", progress).isZero();
      assertThat(r.counts().events()).as("events read: %s", progress).isEqualTo(all.size());

      try (CqlSession session = CassandraSessions.open(Configuration.fromMap(sets))) {
        EndToEndChecks.servingEqualsHistoryEqualsOracle(
            spec,
            all,
            session,
            services.keyspace(),
            EndToEndChecks.catalog(dir),
            NAMESPACE,
            Map.of());
      }

      String entity = all.get(0).payment().getCustomerId().toString();
      CliRunner get = new CliRunner();
      String[] getArgs = {
        "get",
        "--view",
        view.name(),
        "--entity",
        entity,
        "--contact-point",
        contactPoint,
        "--keyspace",
        services.keyspace(),
        "--cassandra-properties",
        security.cassandraClientProperties().toString()
      };
      assertThat(get.run(getArgs)).as("freshet get: %s", get.err()).isZero();
      assertThat(get.out()).contains("PRESENT");
      CliRunner unsecured = new CliRunner();
      assertThat(unsecured.run(java.util.Arrays.copyOf(getArgs, getArgs.length - 2)))
          .as("freshet get without the Cassandra settings: %s", unsecured.out())
          .isNotZero();
      CliRunner letters = new CliRunner();
      assertThat(
              letters.run(
                  "dead-letters",
                  "--spec",
                  specFile.toString(),
                  "--bootstrap-servers",
                  bootstrap,
                  "--kafka-properties",
                  security.kafkaClientProperties().toString()))
          .as("freshet dead-letters: %s", letters.err())
          .isZero();

      EndToEndChecks.cliTrainingSetEqualsOracle(
          spec,
          specFile,
          view,
          generator,
          dir,
          List.of(
              "--namespace",
              NAMESPACE,
              "--catalog-uri",
              "jdbc:sqlite:" + dir.resolve("catalog.db"),
              "--warehouse",
              dir.resolve("warehouse").toUri().toString()));

      try (Stream<Path> logs = Files.walk(config.logDir())) {
        for (Path log : logs.filter(Files::isRegularFile).toList()) {
          String text = Files.readString(log, StandardCharsets.ISO_8859_1);
          for (String secret : secrets) {
            assertThat(text).as("log %s", log).doesNotContain(secret);
          }
        }
      }
    } finally {
      own.stop(EnumSet.of(Service.KAFKA, Service.CASSANDRA));
    }
  }

  /** The SCRAM password, Cassandra's password and the key stores' password. */
  private static List<String> secrets(LocalSecurity security, Properties kafka) throws Exception {
    Matcher m = JAAS_PASSWORD.matcher(kafka.getProperty("sasl.jaas.config"));
    assertThat(m.find()).as("a password in the JAAS line").isTrue();
    List<String> secrets =
        List.of(
            m.group(1),
            Files.readString(security.cassandraPasswordFile()).strip(),
            Files.readString(security.storePasswordFile()).strip());
    assertThat(secrets).allSatisfy(s -> assertThat(s).hasSizeGreaterThanOrEqualTo(32));
    return secrets;
  }

  /**
   * Kafka refuses a wrong SCRAM password and a plaintext client; Cassandra refuses a client over
   * TLS without a password, and one without TLS.
   */
  private static void refusesWrongCredentials(
      String bootstrap, Properties kafka, InetSocketAddress cql) throws Exception {
    Properties wrong = withServers(kafka, bootstrap);
    wrong.put(
        "sasl.jaas.config",
        kafka.getProperty("sasl.jaas.config").replaceAll("password=\"[^\"]+\"", "password=\"x\""));
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(
              () ->
                  admin
                      .describeCluster(new DescribeClusterOptions().timeoutMs(20_000))
                      .nodes()
                      .get(30, TimeUnit.SECONDS))
          .as("Kafka with a wrong password")
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
    Properties plain = new Properties();
    plain.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(plain)) {
      assertThatThrownBy(
              () ->
                  admin
                      .describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                      .nodes()
                      .get(30, TimeUnit.SECONDS))
          .as("Kafka without TLS and SASL")
          .isInstanceOf(ExecutionException.class);
    }
    Configuration tlsOnly = new Configuration();
    tlsOnly.setString(
        "freshet.cassandra.contact-points", cql.getHostString() + ":" + cql.getPort());
    tlsOnly.setString("freshet.cassandra.ssl.enabled", "true");
    tlsOnly.setString(
        "freshet.cassandra.ssl.truststore.path", kafka.getProperty("ssl.truststore.location"));
    tlsOnly.setString(
        "freshet.cassandra.ssl.truststore.password-file",
        Path.of(kafka.getProperty("ssl.truststore.location"))
            .resolveSibling("store-password")
            .toString());
    assertThatThrownBy(() -> CassandraSessions.open(tlsOnly).close())
        .as("Cassandra over TLS without a password")
        .isInstanceOf(AllNodesFailedException.class)
        .satisfies(
            e ->
                assertThat(((AllNodesFailedException) e).getAllErrors().values())
                    .anySatisfy(
                        errors ->
                            assertThat(errors)
                                .anySatisfy(
                                    t ->
                                        assertThat(t)
                                            .isInstanceOf(AuthenticationException.class))));
    Configuration plainCql = new Configuration();
    plainCql.setString(
        "freshet.cassandra.contact-points", cql.getHostString() + ":" + cql.getPort());
    assertThatThrownBy(() -> CassandraSessions.open(plainCql).close())
        .as("Cassandra without TLS")
        .isInstanceOf(AllNodesFailedException.class);
  }

  private static Properties withServers(Properties settings, String bootstrap) {
    Properties p = new Properties();
    p.putAll(settings);
    p.put("bootstrap.servers", bootstrap);
    return p;
  }
}
