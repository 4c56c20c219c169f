package io.freshet.cli;

import io.freshet.cli.flink.FeatureJobRunner;
import io.freshet.spec.SpecException;
import io.freshet.spec.SpecParser;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.training.FeatureSelection;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import io.freshet.training.TrainingSetException;
import io.freshet.training.flink.FlinkEngine;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet training-set}: a point-in-time-correct training set from the Iceberg feature
 * history, written as Parquet with a manifest that reproduces it.
 */
@Command(
    name = "training-set",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Join a spine (entity, timestamp, any other columns; CSV or Parquet) with the feature history:"
          + " each feature is the newest value valid strictly before the row's timestamp, null when"
          + " none or older than the view's ttl. Writes Parquet (the spine's columns and row order,"
          + " then the features) and a manifest JSON; --manifest rebuilds the same rows later."
          + " --engine flink runs the same join as a Flink batch job."
    },
    footer = {
      "",
      "Examples:",
      "  freshet training-set --spec examples/payments/payments.yaml --spine labels.csv \\",
      "      --entity-column customer_id --timestamp-column ts \\",
      "      -f customer_risk:txn_count_1h,customer_risk:amount_sum_24h -o train.parquet",
      "  freshet training-set --manifest train.manifest.json -o train-again.parquet",
      "  freshet training-set --engine flink --parallelism 2 --spec ... (same options)",
      "  freshet training-set --jobmanager 127.0.0.1:8081 --spec ... (same options)"
    })
public final class TrainingSetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--spec",
      paramLabel = "FILE",
      description = "Feature spec(s) defining the selected views (repeatable).")
  List<Path> specs = new ArrayList<>();

  @Option(names = "--spine", paramLabel = "FILE", description = "Spine: .csv (header) or .parquet.")
  Path spine;

  @Option(
      names = {"-f", "--features"},
      split = ",",
      paramLabel = "VIEW:FEATURE",
      description = "Features to join, view:feature, comma-separated or repeated.")
  List<String> features = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "Output Parquet file.")
  Path output;

  @Option(
      names = "--manifest",
      paramLabel = "FILE",
      description =
          "Rebuild the training set of this manifest: same spine (checked by hash), features,"
              + " options and Iceberg snapshots.")
  Path manifest;

  @Option(
      names = "--manifest-out",
      paramLabel = "FILE",
      description = "Where to write the manifest (default: next to the output, .manifest.json).")
  Path manifestOut;

  @Option(
      names = "--inclusive",
      description = "Values valid exactly at the spine timestamp count (default: strictly before).")
  boolean inclusive;

  @Option(
      names = "--as-served",
      description = "Place values by written_at: exactly what the online store held at the time.")
  boolean asServed;

  @Option(
      names = "--entity-column",
      defaultValue = "entity",
      description = "Spine entity column (default: ${DEFAULT-VALUE}).")
  String entityColumn;

  @Option(
      names = "--timestamp-column",
      defaultValue = "timestamp",
      description =
          "Spine timestamp column (default: ${DEFAULT-VALUE}): a timestamp, epoch millis or"
              + " ISO-8601 text.")
  String timestampColumn;

  @Mixin CatalogOptions catalogOptions;

  @Option(
      names = "--rows-in-memory",
      description =
          "Spine rows held in memory, counted once per join state (one per history reader"
              + " thread and per view); more spills to disk (default: from -Xmx). The history is"
              + " never held.")
  long rowsInMemory;

  @Option(names = "--temp-dir", description = "Directory for spill files.")
  Path tempDir;

  /** Where the join runs. */
  enum Engine {
    local,
    flink
  }

  @Option(
      names = "--engine",
      defaultValue = "local",
      description =
          "local: in this process, spilling to disk above --rows-in-memory (default). flink: as a"
              + " Flink batch job, on a local MiniCluster in this process (flink-conf/config.yaml)"
              + " or on the session cluster of --jobmanager (which implies --engine flink; the"
              + " spine, the output and the warehouse must be paths its TaskManagers reach too);"
              + " same rows, same manifest.")
  Engine engine;

  @Mixin FlinkOptions.Jobmanager cluster;

  @Mixin FlinkOptions.JobJar jobJar;

  @Option(
      names = "--parallelism",
      description = "With --engine flink: the job's parallelism (default: parallelism.default).")
  int parallelism;

  @Mixin FlinkOptions.Conf flink;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Catalog catalog = null;
    try {
      if (cluster.jobmanager != null) {
        engine = Engine.flink;
      }
      if (engine != Engine.local && (rowsInMemory > 0 || tempDir != null)) {
        throw new TrainingSetException(
            "--rows-in-memory and --temp-dir are for --engine local (Flink spills by itself)");
      }
      if (engine == Engine.local
          && (parallelism > 0 || flink.flinkConf != null || !flink.sets.isEmpty())) {
        throw new TrainingSetException(
            "--parallelism, --flink-conf and --set are for --engine flink");
      }
      String catalogName = catalogOptions.catalogName;
      Map<String, String> catalogProps = catalogOptions.properties();
      catalog = HistoryCatalogs.load(catalogName, catalogProps);
      TrainingSet.Builder b;
      if (manifest != null) {
        if (!features.isEmpty() || inclusive || asServed) {
          throw new TrainingSetException(
              "--manifest takes its features and options from the manifest: drop -f, --inclusive"
                  + " and --as-served");
        }
        b = TrainingSet.reproduce(Manifest.read(manifest));
        if (spine != null) {
          b.spine(spine);
        }
      } else {
        if (specs.isEmpty() || spine == null || features.isEmpty()) {
          throw new TrainingSetException(
              "give --spec, --spine and -f view:feature (or --manifest to rebuild a training set)");
        }
        b =
            TrainingSet.builder()
                .spine(spine)
                .entityColumn(entityColumn)
                .timestampColumn(timestampColumn)
                .inclusive(inclusive)
                .asServed(asServed)
                .namespace(catalogOptions.namespace);
        for (Path s : specs) {
          b.spec(SpecParser.parse(s));
        }
        b.select(features.stream().map(FeatureSelection::parse).toList());
      }
      b.catalog(catalog, catalogName, catalogProps)
          .output(output)
          .progress(line -> progress(err, line));
      if (manifestOut != null) {
        b.manifestOutput(manifestOut);
      }
      if (rowsInMemory > 0) {
        b.rowsInMemory(rowsInMemory);
      }
      if (tempDir != null) {
        b.tempDir(tempDir);
      }
      TrainingSet trainingSet = b.build();
      Manifest m = engine == Engine.flink ? trainingSet.run(flinkEngine()) : trainingSet.run();
      out.println(
          "wrote "
              + output
              + " ("
              + m.spineRows()
              + " rows) and "
              + (manifestOut != null ? manifestOut : TrainingSet.defaultManifest(output)));
      out.flush();
      return 0;
    } catch (TrainingSetException | SpecException e) {
      err.println("freshet training-set: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      if (catalog instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // closing frees connections only
        }
      }
    }
  }

  /**
   * A Flink batch job: on a local MiniCluster in this JVM, configured by config.yaml plus --set, or
   * submitted to --jobmanager with the job jar (the job graph is built here). Without restarts
   * unless --set says otherwise: a bad spine row should fail at once, not after config.yaml's
   * restart backoff, and a local run has no TaskManager to lose.
   */
  private FlinkEngine flinkEngine() throws java.io.IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("restart-strategy.type", "none");
    if (parallelism > 0) {
      settings.put("parallelism.default", Integer.toString(parallelism));
    }
    settings.putAll(flink.sets);
    String jobmanager = cluster.jobmanager;
    if (jobmanager != null) {
      int colon = jobmanager.lastIndexOf(':');
      if (colon <= 0) {
        throw new TrainingSetException("--jobmanager is HOST:PORT (for example 127.0.0.1:8081)");
      }
      Path jar = jobJar.jobJar();
      Configuration conf = new Configuration();
      settings.forEach(conf::setString);
      return new FlinkEngine(
          StreamExecutionEnvironment.createRemoteEnvironment(
              jobmanager.substring(0, colon),
              Integer.parseInt(jobmanager.substring(colon + 1)),
              conf,
              jar.toAbsolutePath().toString()));
    }
    Configuration conf = FeatureJobRunner.localConfiguration(flink.confDir(), settings);
    return new FlinkEngine(StreamExecutionEnvironment.getExecutionEnvironment(conf));
  }

  private static void progress(PrintWriter err, String line) {
    err.println(line);
    err.flush();
  }
}
