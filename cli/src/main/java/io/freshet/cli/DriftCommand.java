package io.freshet.cli;

import io.freshet.spec.Durations;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.training.Manifest;
import io.freshet.training.TrainingSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet drift}: a view's features in a training set against their recent production values
 * (the history rows valid in the window), with PSI and Kolmogorov-Smirnov ({@link DriftReport}): a
 * table on the terminal, an HTML page with a histogram per feature, exit 1 past a threshold.
 */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compare a view's features in a training set (Parquet, from freshet training-set) with"
          + " their production values: the history rows that became valid in the window (--since"
          + " before --until). Per feature: PSI over the training values' deciles (strings: its"
          + " 20 most common values and the rest), the two-sample Kolmogorov-Smirnov statistic for"
          + " numbers, and null shares. Prints a table, writes an HTML report with a histogram per"
          + " feature, and exits 1 if any feature passes --max-psi or --max-ks."
    },
    footer = {
      "",
      "Examples:",
      "  freshet drift --spec examples/payments/payments.yaml --view customer_risk"
          + " --training train.parquet",
      "  freshet drift --spec examples/payments/payments.yaml --view customer_risk"
          + " --training train.parquet --since 7d --html drift.html --max-psi 0.25"
    })
public final class DriftCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(names = "--view", required = true, paramLabel = "VIEW", description = "The view.")
  String view;

  @Option(
      names = "--training",
      required = true,
      paramLabel = "FILE",
      description =
          "The training set (Parquet). Its manifest next to it, if there, names each feature's"
              + " column; else a column named as the feature (or VIEW__FEATURE).")
  Path training;

  @Option(
      names = "--feature",
      paramLabel = "NAME",
      description = "Compare only this feature (repeatable; default: the view's in the set).")
  List<String> features = new ArrayList<>();

  @Option(
      names = "--since",
      defaultValue = "24h",
      paramLabel = "DURATION",
      description = "Production window length, before --until (default: ${DEFAULT-VALUE}).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "INSTANT",
      description = "End of the production window, ISO-8601 (default: now).")
  String until;

  @Option(
      names = "--max-psi",
      defaultValue = "0.2",
      description = "PSI above this is drift (default: ${DEFAULT-VALUE}).")
  double maxPsi;

  @Option(
      names = "--max-ks",
      defaultValue = "0.1",
      description = "KS statistic above this is drift (default: ${DEFAULT-VALUE}).")
  double maxKs;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Where the HTML report goes (default: next to the training set, .drift.html).")
  Path html;

  @Mixin CatalogOptions catalogOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    ViewSpec v =
        featureSpec.views().stream()
            .filter(x -> x.name().equals(view))
            .findFirst()
            .orElseThrow(
                () ->
                    new CliException(
                        "view '"
                            + view
                            + "' is not in "
                            + specFile
                            + " (views: "
                            + featureSpec.views().stream().map(ViewSpec::name).toList()
                            + ")"));
    if (!Files.isRegularFile(training)) {
      throw new CliException("no training set at " + training + ": give a Parquet file");
    }
    Map<String, String> columns = columns(v);
    Instant end = until == null ? Instant.now() : Instant.parse(until);
    Instant start = end.minus(Durations.parse(since));

    Map<String, List<Object>> trained = readTraining(columns);
    Map<String, List<Object>> produced = readProduction(v, columns.keySet(), start, end);
    List<DriftReport.Feature> results = new ArrayList<>();
    for (String f : columns.keySet()) {
      FeatureDef def = v.features().get(v.indexOf(f));
      results.add(
          DriftReport.compare(f, def.outputType(), trained.get(f), produced.get(f), maxPsi, maxKs));
    }
    out.println(
        "drift of "
            + view
            + ": training set "
            + training
            + " against history rows valid from "
            + start
            + " to "
            + end);
    out.print(DriftReport.table(results));
    Path report = html != null ? html : defaultHtml();
    Files.writeString(
        report,
        DriftReport.html(
            "Feature drift: " + view,
            DriftReport.context(
                "training set",
                training.toString(),
                "production",
                "history rows of " + view + " valid from " + start + " to " + end,
                "spec",
                specFile.toString()),
            results,
            maxPsi,
            maxKs));
    long drifted = results.stream().filter(DriftReport.Feature::drifted).count();
    out.println(
        drifted == 0
            ? "no drift past the thresholds (PSI > " + maxPsi + ", KS > " + maxKs + ")"
            : drifted
                + " feature(s) drifted past the thresholds: "
                + results.stream()
                    .filter(DriftReport.Feature::drifted)
                    .map(DriftReport.Feature::name)
                    .toList());
    out.println("report: " + report);
    out.flush();
    return drifted == 0 ? 0 : 1;
  }

  private Path defaultHtml() {
    String name = training.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return training.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".drift.html");
  }

  /** Feature to training-set column, for the features compared. */
  private Map<String, String> columns(ViewSpec v) throws IOException {
    Map<String, String> named = new LinkedHashMap<>();
    Path manifest = TrainingSet.defaultManifest(training);
    if (Files.exists(manifest)) {
      for (Manifest.ViewRead r : Manifest.read(manifest).views()) {
        if (r.view().equals(view)) {
          for (int i = 0; i < r.features().size(); i++) {
            if (v.indexOf(r.features().get(i)) >= 0) {
              named.put(r.features().get(i), r.columns().get(i));
            }
          }
        }
      }
    } else {
      Schema schema = trainingSchema();
      for (FeatureDef f : v.features()) {
        if (schema.getField(f.name()) != null) {
          named.put(f.name(), f.name());
        } else if (schema.getField(view + "__" + f.name()) != null) {
          named.put(f.name(), view + "__" + f.name());
        }
      }
    }
    if (!features.isEmpty()) {
      Map<String, String> chosen = new LinkedHashMap<>();
      for (String f : features) {
        if (!named.containsKey(f)) {
          throw new CliException(
              "feature '"
                  + f
                  + "' of view '"
                  + view
                  + "' is not in the training set "
                  + training
                  + " (it has "
                  + named.keySet()
                  + ")");
        }
        chosen.put(f, named.get(f));
      }
      return chosen;
    }
    if (named.isEmpty()) {
      throw new CliException(
          "the training set " + training + " has no feature of view '" + view + "'");
    }
    return named;
  }

  private Schema trainingSchema() throws IOException {
    try (ParquetReader<GenericRecord> r = reader()) {
      GenericRecord first = r.read();
      if (first == null) {
        throw new CliException("the training set " + training + " has no rows");
      }
      return first.getSchema();
    }
  }

  private ParquetReader<GenericRecord> reader() throws IOException {
    return AvroParquetReader.<GenericRecord>builder(new LocalInputFile(training))
        .withDataModel(GenericData.get())
        .build();
  }

  private Map<String, List<Object>> readTraining(Map<String, String> columns) throws IOException {
    Map<String, List<Object>> out = new HashMap<>();
    columns.keySet().forEach(f -> out.put(f, new ArrayList<>()));
    try (ParquetReader<GenericRecord> r = reader()) {
      for (GenericRecord rec = r.read(); rec != null; rec = r.read()) {
        for (Map.Entry<String, String> c : columns.entrySet()) {
          out.get(c.getKey()).add(plain(rec.get(c.getValue())));
        }
      }
    }
    return out;
  }

  /** The features' values in the history rows that became valid in [start, end). */
  private Map<String, List<Object>> readProduction(
      ViewSpec v, java.util.Set<String> names, Instant start, Instant end) throws Exception {
    Map<String, List<Object>> out = new HashMap<>();
    names.forEach(f -> out.put(f, new ArrayList<>()));
    Catalog catalog = HistoryCatalogs.load(catalogOptions.catalogName, catalogOptions.properties());
    try {
      TableIdentifier id = HistoryTables.identifier(catalogOptions.namespace, v.name());
      if (!catalog.tableExists(id)) {
        throw new CliException(
            "no history table "
                + id
                + " in catalog '"
                + catalogOptions.catalogName
                + "': has the feature job run with this spec, on this catalog?");
      }
      Table table = catalog.loadTable(id);
      if (table.currentSnapshot() == null) {
        return out;
      }
      List<String> select = new ArrayList<>(names);
      select.add(StoreColumn.VALID_FROM.column());
      long from = start.toEpochMilli();
      long to = end.toEpochMilli();
      try (CloseableIterable<Record> rows = IcebergGenerics.read(table).select(select).build()) {
        for (Record r : rows) {
          long vf =
              ((OffsetDateTime) r.getField(StoreColumn.VALID_FROM.column()))
                  .toInstant()
                  .toEpochMilli();
          if (vf < from || vf >= to) {
            continue;
          }
          for (String f : names) {
            out.get(f).add(plain(r.getField(f)));
          }
        }
      }
      return out;
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  private static Object plain(Object v) {
    return v instanceof CharSequence s ? s.toString() : v;
  }
}
