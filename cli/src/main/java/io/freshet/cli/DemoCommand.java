package io.freshet.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.cli.flink.UntilEnd;
import io.freshet.cli.generate.KafkaPublisher;
import io.freshet.cli.generate.Labels;
import io.freshet.cli.generate.PaymentsGenerator;
import io.freshet.services.LocalServices;
import io.freshet.services.Service;
import io.freshet.services.ServiceStatus;
import io.freshet.services.ServicesConfig;
import io.freshet.serving.FeatureClient;
import io.freshet.serving.FeatureValue;
import io.freshet.serving.FeatureVector;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreNames;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.catalog.Catalog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet demo}: the whole path on real services, in one command. Starts Kafka and Cassandra
 * (unless running), resets the example's topic, tables and history, generates payments over 7
 * simulated days, runs the feature job on a local MiniCluster until the end of the topic, prints
 * live vectors from Cassandra, builds a training set from the labels spine, and stops what it
 * started.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The end-to-end demo on real Kafka, Cassandra, Flink and Iceberg: generate payments,"
          + " compute the payments example's features, serve them, build a training set."
          + " Resets the example's topic (payments), Cassandra table (freshet.customer_risk) and"
          + " Iceberg history (freshet.customer_risk) first."
    },
    footer = {
      "",
      "Examples:",
      "  freshet demo",
      "  freshet demo --keep-running      # then try: freshet get --view customer_risk --entity c0",
      "  freshet demo --events 300000     # a shorter run"
    })
public final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin GeneratorOptions generator;

  @Option(
      names = "--keep-running",
      description = "Leave the services (and the data) up at the end.")
  boolean keepRunning;

  @Option(
      names = "--spec",
      paramLabel = "FILE",
      description = "Spec (default: examples/payments/payments.yaml).")
  Path specFile;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Path home = LocalDefaults.home();
    Path specPath = specFile != null ? specFile : home.resolve("examples/payments/payments.yaml");
    FeatureSpec featureSpec = SpecParser.parse(specPath);
    ViewSpec view = featureSpec.views().get(0);
    String topic = featureSpec.source().topic();

    step("1/6 services");
    ServicesConfig config = ServicesConfig.fromEnvironment();
    if (io.freshet.services.LocalSecurity.of(config.stateDir()).enabled()) {
      throw new CliException(
          "The demo runs on unsecured local services, and those of "
              + config.stateDir()
              + " were started with --secure; give the demo a state dir of its own"
              + " (FRESHET_STATE_DIR=/tmp/freshet-demo bin/freshet demo)");
    }
    LocalServices services = new LocalServices(config);
    Set<Service> started = EnumSet.noneOf(Service.class);
    for (ServiceStatus s : services.start()) {
      out.println("  " + s.describe());
      if (s.state() == ServiceStatus.State.STARTED) {
        started.add(s.service());
      }
    }
    try {
      String kafka = services.kafkaBootstrapServers();
      InetSocketAddress cql = services.cassandraContactPoint();
      Path icebergState = icebergStateDir();
      Path demoDir = config.stateDir().resolve("demo");
      Files.createDirectories(demoDir);

      step("2/6 reset topic " + topic + ", table freshet." + view.name() + ", history");
      resetTopics(kafka, topic, featureSpec.source().deadLetterTopic());
      resetCassandra(cql, featureSpec);
      resetIceberg(icebergState, featureSpec);

      step(
          String.format(
              "3/6 generate %,d payments of %,d customers over %d days",
              generator.events, generator.entities, generator.days));
      PaymentsGenerator payments =
          new PaymentsGenerator(
              PaymentsGenerator.Settings.of(
                  generator.events,
                  generator.entities,
                  generator.days,
                  generator.seed,
                  generator.defaultStart()));
      long g0 = System.nanoTime();
      try (KafkaPublisher publisher = new KafkaPublisher(kafka, topic, 0)) {
        KafkaPublisher.publish(payments, publisher, n -> {});
      }
      Path labels = demoDir.resolve("labels.csv");
      long labelRows = Labels.write(payments, labels);
      out.printf(
          "  sent to %s in %.1f s; labels spine %s (%,d rows)%n",
          topic, (System.nanoTime() - g0) / 1e9, labels, labelRows);

      step("4/6 run the feature job (local MiniCluster) until it has read every payment");
      Map<String, String> sets = new LinkedHashMap<>();
      String group = "freshet-demo-" + System.currentTimeMillis();
      sets.put("freshet.kafka.bootstrap-servers", kafka);
      sets.put("freshet.kafka.starting-offsets", "earliest");
      sets.put("freshet.kafka.group-id", group);
      sets.put("freshet.cassandra.contact-points", cql.getHostString() + ":" + cql.getPort());
      sets.put("freshet.state.dir", icebergState.toString());
      Configuration conf = FeatureJobRunner.localConfiguration(home.resolve("flink-conf"), sets);
      UntilEnd end = UntilEnd.take(kafka, topic, group, UntilEnd.Start.EARLIEST);
      long j0 = System.nanoTime();
      FeatureJobRunner.Result r =
          FeatureJobRunner.runLocal(
              featureSpec, conf, out, System.console() != null, end, id -> {});
      out.printf("  in %.1f s: %s%n", (System.nanoTime() - j0) / 1e9, r.summary());
      if (r.savepoint() != null) {
        out.println(
            "  stopped with a savepoint (values as of the data's watermark): " + r.savepoint());
        out.println(
            "  go live from it: bin/freshet run --spec "
                + specPath
                + " --set freshet.kafka.group-id="
                + group
                + " --from-savepoint "
                + r.savepoint());
      }
      if (r.signal() != 0) {
        out.println("  stopped by a signal: the demo ends here");
        out.flush();
        return r.exitCode();
      }

      step("5/6 live feature vectors from Cassandra (FeatureClient)");
      printVectors(cql, featureSpec, view, payments);

      step("6/6 training set from the labels spine (point in time, Iceberg history)");
      Path output = demoDir.resolve("training-set.parquet");
      List<String> selected = new ArrayList<>();
      for (FeatureDef f : view.features()) {
        selected.add(view.name() + ":" + f.name());
      }
      Catalog catalog =
          HistoryCatalogs.load(
              StoreNames.DEFAULT_CATALOG, HistoryCatalogs.complete(Map.of(), icebergState));
      try {
        Manifest m =
            TrainingSet.builder()
                .spec(featureSpec)
                .spine(labels)
                .entityColumn("customer_id")
                .timestampColumn("timestamp")
                .select(selected.toArray(String[]::new))
                .catalog(catalog, StoreNames.DEFAULT_CATALOG)
                .output(output)
                .build()
                .run();
        out.printf(
            "  %,d rows x %d features (+ customer_id, timestamp, payment_id, label)%n",
            m.spineRows(), selected.size());
        out.println("  training set: " + output);
        out.println("  manifest:     " + TrainingSet.defaultManifest(output));
        out.println(
            "  rebuild it:   bin/freshet training-set --manifest "
                + TrainingSet.defaultManifest(output)
                + " -o again.parquet");
      } finally {
        if (catalog instanceof AutoCloseable c) {
          c.close();
        }
      }
    } finally {
      if (!keepRunning && !started.isEmpty()) {
        step("stopping what the demo started: " + started);
        services.stop(started);
      } else if (keepRunning) {
        step("left running (--keep-running); stop with: bin/freshet services stop");
      }
    }
    out.printf("%ndemo done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    out.flush();
    return 0;
  }

  private void step(String what) {
    out.println();
    out.println("== " + what);
    out.flush();
  }

  /** Where the job's default Iceberg catalog lives: Freshet's one state dir. */
  static Path icebergStateDir() {
    return LocalDefaults.stateDir();
  }

  private void resetTopics(String kafka, String topic, String deadLetters) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    try (Admin admin = Admin.create(p)) {
      try {
        admin.deleteTopics(List.of(topic, deadLetters)).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        try {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(topic, 4, (short) 1), new NewTopic(deadLetters, 1, (short) 1)))
              .all()
              .get(30, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(250); // the deletion is still in progress
        }
      }
    }
  }

  private static void resetCassandra(InetSocketAddress cql, FeatureSpec spec) {
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(cql)
            .withLocalDatacenter(LocalServices.cassandraLocalDatacenter())
            .build()) {
      for (ViewSpec v : spec.views()) {
        boolean exists =
            session
                    .execute(
                        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?"
                            + " AND table_name = ?",
                        StoreNames.DEFAULT_KEYSPACE,
                        StoreNames.table(v.name()))
                    .one()
                != null;
        if (exists) {
          session.execute(
              "TRUNCATE "
                  + StoreNames.DEFAULT_KEYSPACE
                  + ".\""
                  + StoreNames.table(v.name())
                  + "\"");
        }
      }
    }
  }

  private static void resetIceberg(Path stateDir, FeatureSpec spec) throws Exception {
    Catalog catalog =
        HistoryCatalogs.load(
            StoreNames.DEFAULT_CATALOG, HistoryCatalogs.complete(Map.of(), stateDir));
    try {
      for (ViewSpec v : spec.views()) {
        var id = HistoryTables.identifier(StoreNames.DEFAULT_NAMESPACE, v.name());
        if (catalog.tableExists(id)) {
          catalog.dropTable(id, true);
        }
      }
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private void printVectors(
      InetSocketAddress cql, FeatureSpec spec, ViewSpec view, PaymentsGenerator generator) {
    // the busiest customer, the customer of the last burst, and an ordinary one
    String burst = null;
    for (int i = generator.size() - 1; i >= 0 && burst == null; i--) {
      PaymentsGenerator.Event e = generator.event(i);
      if (e.fraud()) {
        burst = e.payment().getCustomerId();
      }
    }
    List<String> customers = new ArrayList<>();
    customers.add(PaymentsGenerator.customerId(0));
    if (burst != null && !customers.contains(burst)) {
      customers.add(burst);
    }
    customers.add(PaymentsGenerator.customerId(Math.max(1, this.generator.entities / 3)));
    try (FeatureClient client =
        FeatureClient.builder()
            .contactPoints(cql.getHostString() + ":" + cql.getPort())
            .spec(spec)
            .requestTimeout(Duration.ofSeconds(5))
            .build()) {
      for (String c : customers) {
        long r0 = System.nanoTime();
        FeatureVector v = client.get(view.name(), c);
        out.printf(
            "  %s/%s: %s, valid from %s, read in %.1f ms%n",
            view.name(),
            c,
            v.status(),
            v.found() ? java.time.Instant.ofEpochMilli(v.validFrom()) : "-",
            (System.nanoTime() - r0) / 1e6);
        StringBuilder sb = new StringBuilder("    ");
        int col = 4;
        for (FeatureValue f : v.features()) {
          String cell = f.name() + "=" + format(f.value()) + "  ";
          if (col + cell.length() > 100) {
            out.println(sb);
            sb.setLength(0);
            sb.append("    ");
            col = 4;
          }
          sb.append(cell);
          col += cell.length();
        }
        out.println(sb);
      }
      out.println(
          "  (also: bin/freshet get --view " + view.name() + " --entity " + customers.get(0) + ")");
    }
  }

  private static String format(Object v) {
    if (v instanceof Double d) {
      return String.format("%.2f", d);
    }
    return String.valueOf(v);
  }
}
