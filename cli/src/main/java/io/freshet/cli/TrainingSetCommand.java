package io.freshet.cli;

import io.freshet.connectors.iceberg.HistoryCatalogs;
import io.freshet.spec.SpecException;
import io.freshet.spec.SpecParser;
import io.freshet.training.FeatureSelection;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import io.freshet.training.TrainingSetException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
    },
    footer = {
      "",
      "Examples:",
      "  freshet training-set --spec examples/payments/payments.yaml --spine labels.csv \\",
      "      --entity-column customer_id --timestamp-column ts \\",
      "      -f customer_risk:txn_count_1h,customer_risk:amount_sum_24h -o train.parquet",
      "  freshet training-set --manifest train.manifest.json -o train-again.parquet"
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

  @Option(
      names = "--catalog-name",
      defaultValue = "freshet",
      description = "Iceberg catalog name (default: ${DEFAULT-VALUE}).")
  String catalogName;

  @Option(
      names = "--namespace",
      defaultValue = "freshet",
      description = "Namespace of the history tables (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--catalog-type",
      description = "jdbc (default), rest, hive, hadoop, glue or nessie.")
  String catalogType;

  @Option(names = "--catalog-uri", description = "Catalog URI (default: the local SQLite file).")
  String catalogUri;

  @Option(names = "--warehouse", description = "Warehouse location (default: the local one).")
  String warehouse;

  @Option(
      names = "--catalog-property",
      paramLabel = "KEY=VALUE",
      description = "Any other Iceberg catalog property (repeatable).")
  Map<String, String> catalogProperties = new LinkedHashMap<>();

  @Option(
      names = "--state-dir",
      description =
          "Freshet state directory of the local catalog (default: FRESHET_STATE_DIR or ~/.freshet).")
  Path stateDir;

  @Option(
      names = "--rows-in-memory",
      description =
          "Spine plus history rows held in memory; more spills to disk (default: from -Xmx).")
  long rowsInMemory;

  @Option(names = "--temp-dir", description = "Directory for spill files.")
  Path tempDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> props = new LinkedHashMap<>(catalogProperties);
    if (catalogType != null) {
      props.put("type", catalogType);
    }
    if (catalogUri != null) {
      props.put("uri", catalogUri);
    }
    if (warehouse != null) {
      props.put("warehouse", warehouse);
    }
    Catalog catalog = null;
    try {
      catalog = HistoryCatalogs.load(catalogName, HistoryCatalogs.complete(props, stateDir()));
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
                .namespace(namespace);
        for (Path s : specs) {
          b.spec(SpecParser.parse(s));
        }
        b.select(features.stream().map(FeatureSelection::parse).toList());
      }
      b.catalog(catalog, catalogName).output(output).progress(line -> progress(err, line));
      if (manifestOut != null) {
        b.manifestOutput(manifestOut);
      }
      if (rowsInMemory > 0) {
        b.rowsInMemory(rowsInMemory);
      }
      if (tempDir != null) {
        b.tempDir(tempDir);
      }
      Manifest m = b.build().run();
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

  private static void progress(PrintWriter err, String line) {
    err.println(line);
    err.flush();
  }

  private Path stateDir() {
    if (stateDir != null) {
      return stateDir;
    }
    String env = System.getenv("FRESHET_STATE_DIR");
    return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".freshet");
  }
}
