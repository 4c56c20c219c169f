package io.freshet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.examples.payments.Payment;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureStatus;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreNames;
import io.freshet.testing.RealServices;
import io.freshet.testing.TestServices;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Entity ids that look like CQL or SQL are ids and nothing else, through the job, the serving
 * client, {@code freshet get}, a training-set spine and {@code freshet forget}; a view name that
 * looks like CQL is an unknown view. Then {@code freshet forget} erases two of those entities:
 * their online rows and history rows are gone, every other entity still equals the naive oracle,
 * and the next training set has no value of them.
 */
@RealServices
class HostileIdsIT {
  private static final String NAMESPACE = "hostile";

  /** Customer ids the first customers of the generated stream get instead of their own. */
  static final List<String> HOSTILE =
      List.of(
          "x'; DROP TABLE freshet_views; --",
          "c1\" OR \"1\"=\"1",
          "' OR 1=1 --",
          "Robert'); DELETE FROM hostile_risk WHERE entity > ''; --",
          "a,b;c\nd\"e",
          "ünï 😀 ${jndi:ldap://127.0.0.1/x} %s %n \\");

  @Test
  @Timeout(600)
  void hostileIdsAreOnlyIdsAndForgetErasesThem(TestServices services) throws Exception {
    Path dir = Path.of("target", "hostile-it-" + UUID.randomUUID()).toAbsolutePath();
    Files.createDirectories(dir);
    String topic = services.createTopic("hostile-payments", 2);
    services.createTopic("hostile-payments.dead-letters", 1);
    Path specFile = ExampleSpec.onTopic(dir, topic, "customer_risk", "hostile_risk");
    FeatureSpec spec = SpecParser.parse(specFile);
    ViewSpec view = spec.views().get(0);
    List<PaymentsGenerator.Event> all = withHostileIds(EndToEndChecks.dayWithoutLateEvents(53));
    try (KafkaPublisher out = new KafkaPublisher(services.kafkaBootstrapServers(), topic, 0)) {
      KafkaPublisher.publish(all, out, n -> {});
    }
    Map<String, String> sets = EndToEndChecks.jobSettings(services, dir, NAMESPACE);
    sets.put("freshet.kafka.group-id", "hostile-" + UUID.randomUUID());
    EndToEndChecks.runToEnd(services, spec, sets);

    Catalog catalog = EndToEndChecks.catalog(dir);
    EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, all, services, catalog, NAMESPACE);
    assertThat(EndToEndChecks.history(catalog, NAMESPACE, view).keySet())
        .as("entities of the history")
        .containsAll(HOSTILE);

    String contactPoint =
        services.cassandraContactPoint().getHostString()
            + ":"
            + services.cassandraContactPoint().getPort();
    List<String> cassandra =
        List.of("--contact-point", contactPoint, "--keyspace", services.keyspace());
    for (String id : HOSTILE) {
      CliRunner get = new CliRunner();
      assertThat(get.run(concat(List.of("get", "--view", view.name(), "--entity", id), cassandra)))
          .as("freshet get --entity %s: %s", id, get.err())
          .isZero();
      assertThat(get.out()).as("freshet get --entity %s", id).contains("PRESENT");
    }
    CliRunner badView = new CliRunner();
    assertThat(
            badView.run(
                concat(
                    List.of(
                        "get", "--view", "x\" ; DROP TABLE freshet_views; --", "--entity", "c1"),
                    cassandra)))
        .isNotZero();
    assertThat(badView.err()).contains("no view").doesNotContain("\tat ");

    List<String> catalogArgs =
        List.of(
            "--namespace",
            NAMESPACE,
            "--catalog-uri",
            "jdbc:sqlite:" + dir.resolve("catalog.db"),
            "--warehouse",
            dir.resolve("warehouse").toUri().toString());
    trainingSetEqualsOracle(spec, specFile, view, all, dir.resolve("before"), catalogArgs);

    // forget two of them: online and history rows gone, the rest as before
    Set<String> forgotten = Set.of(HOSTILE.get(0), HOSTILE.get(4));
    CliRunner forget = new CliRunner();
    List<String> forgetArgs = new ArrayList<>(List.of("forget", "--spec", specFile.toString()));
    forgotten.forEach(id -> forgetArgs.addAll(List.of("--entity", id)));
    assertThat(forget.run(concat(forgetArgs, cassandra, catalogArgs)))
        .as("freshet forget: %s", forget.err())
        .isZero();
    assertThat(forget.out()).contains("erased").contains("online: deleted the rows of 2 entities");

    List<PaymentsGenerator.Event> kept =
        all.stream().filter(e -> e.payment() == null || !forgotten.contains(idOf(e))).toList();
    Map<String, ?> history = EndToEndChecks.history(catalog, NAMESPACE, view);
    assertThat(history.keySet())
        .doesNotContainAnyElementsOf(forgotten)
        .containsAll(HOSTILE.stream().filter(id -> !forgotten.contains(id)).toList());
    try (FeatureClient client =
        FeatureClient.builder()
            .session(services.cqlSession())
            .keyspace(services.keyspace())
            .spec(spec)
            .requestTimeout(Duration.ofSeconds(10))
            .build()) {
      for (String id : forgotten) {
        FeatureVector v = client.get(view.name(), id);
        assertThat(v.status())
            .as("the online row of %s after forget", id)
            .isEqualTo(FeatureStatus.MISSING);
      }
    }
    assertThat(
            services
                .cqlSession()
                .execute(
                    "SELECT count(*) FROM "
                        + services.keyspace()
                        + "."
                        + StoreNames.table(view.name()))
                .one()
                .getLong(0))
        .as("online rows after forget")
        .isEqualTo(history.size());
    EndToEndChecks.servingEqualsHistoryEqualsOracle(spec, kept, services, catalog, NAMESPACE);
    // the spine still names them; their features are null now, like any unknown entity's
    trainingSetEqualsOracle(spec, specFile, view, kept, dir.resolve("after"), catalogArgs, all);
  }

  private static String idOf(PaymentsGenerator.Event e) {
    return e.payment().getCustomerId().toString();
  }

  /** The generator's events, the first {@code HOSTILE.size()} customers renamed to HOSTILE ids. */
  private static List<PaymentsGenerator.Event> withHostileIds(PaymentsGenerator generator) {
    Map<String, String> renamed = new LinkedHashMap<>();
    List<PaymentsGenerator.Event> out = new ArrayList<>();
    for (PaymentsGenerator.Event e : generator) {
      if (e.payment() == null || e.payment().getCustomerId().toString().isEmpty()) {
        out.add(e);
        continue;
      }
      String id = e.payment().getCustomerId().toString();
      if (!renamed.containsKey(id) && renamed.size() < HOSTILE.size()) {
        renamed.put(id, HOSTILE.get(renamed.size()));
      }
      String to = renamed.get(id);
      if (to == null) {
        out.add(e);
      } else {
        Payment p = Payment.newBuilder(e.payment()).setCustomerId(to).build();
        out.add(new PaymentsGenerator.Event(e.index(), e.kind(), p, e.delayMillis(), e.fraud()));
      }
    }
    assertThat(renamed).hasSize(HOSTILE.size());
    return out;
  }

  private static void trainingSetEqualsOracle(
      FeatureSpec spec,
      Path specFile,
      ViewSpec view,
      List<PaymentsGenerator.Event> events,
      Path dir,
      List<String> catalogArgs)
      throws Exception {
    trainingSetEqualsOracle(spec, specFile, view, events, dir, catalogArgs, events);
  }

  /**
   * {@code freshet training-set} of a spine of every valid payment of {@code spineEvents} but the
   * last minute's (an RFC 4180 CSV, so ids with commas, quotes and newlines are quoted) equals the
   * oracle of {@code events}.
   */
  private static void trainingSetEqualsOracle(
      FeatureSpec spec,
      Path specFile,
      ViewSpec view,
      List<PaymentsGenerator.Event> events,
      Path dir,
      List<String> catalogArgs,
      List<PaymentsGenerator.Event> spineEvents)
      throws Exception {
    Files.createDirectories(dir);
    Path spine = dir.resolve("spine.csv");
    // the job emits an event once the watermark (2 s behind the newest event) passes it: the
    // stream's last seconds are still pending when it stops, so the spine ends a minute earlier
    long end =
        spineEvents.stream()
                .filter(PaymentsGenerator.Event::valid)
                .mapToLong(e -> e.payment().getEventTime().toEpochMilli())
                .max()
                .orElseThrow()
            - 60_000;
    long rows = 0;
    try (BufferedWriter w = Files.newBufferedWriter(spine, StandardCharsets.UTF_8)) {
      w.write("customer_id,timestamp\n");
      for (PaymentsGenerator.Event e : spineEvents) {
        if (!e.valid() || idOf(e).isEmpty() || e.payment().getEventTime().toEpochMilli() > end) {
          continue;
        }
        // one millisecond after the payment: its own update counts
        w.write(csv(idOf(e)) + "," + e.payment().getEventTime().plusMillis(1) + "\n");
        rows++;
      }
    }
    EndToEndChecks.cliTrainingSetEqualsOracle(
        spec, specFile, view, events, spine, rows, dir.resolve("train.parquet"), catalogArgs);
  }

  private static String csv(String field) {
    if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
      return "\"" + field.replace("\"", "\"\"") + "\"";
    }
    return field;
  }

  @SafeVarargs
  private static String[] concat(List<String>... parts) {
    List<String> out = new ArrayList<>();
    for (List<String> p : parts) {
      out.addAll(p);
    }
    return out.toArray(String[]::new);
  }
}
