package io.freshet.cli;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.freshet.connectors.cassandra.WriteVersion;
import io.freshet.serving.FeatureClient;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryErasure;
import io.freshet.store.iceberg.HistoryTables;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code freshet forget}: erases entities everywhere Freshet keeps their features, a person's right
 * to be forgotten: the online row of each view (a Cassandra delete) and every history row (an
 * Iceberg overwrite without them, {@link HistoryErasure}), so that the next training set has no
 * value of them.
 */
@Command(
    name = "forget",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Erase entities from the online store and the history of a spec's views (all of them, or"
          + " --view): their Cassandra rows are deleted and their history rows removed in one"
          + " Iceberg commit per table; the next training set has no value of them. Safe while the"
          + " job runs, but a live job that gets a new event of an entity writes it again, from"
          + " the state it keeps (see docs/operations.md, \"Forgetting an entity\"). Older"
          + " snapshots still read the rows until they expire (freshet maintain)."
    },
    footer = {
      "",
      "Examples:",
      "  freshet forget --spec examples/payments/payments.yaml --entity c42",
      "  freshet forget --spec examples/payments/payments.yaml --view customer_risk \\",
      "    --entity c42 --entity c43"
    })
public final class ForgetCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--spec", required = true, paramLabel = "FILE", description = "Feature spec.")
  Path specFile;

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      description = "Only this view (repeatable; default: every view of the spec).")
  List<String> views = new ArrayList<>();

  @Option(
      names = "--entity",
      required = true,
      paramLabel = "ID",
      description = "An entity id to erase, exactly as the events carry it (repeatable).")
  List<String> entities = new ArrayList<>();

  @Mixin CassandraClientOptions cassandra;

  @Mixin CatalogOptions catalogOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FeatureSpec featureSpec = SpecParser.parse(specFile);
    List<ViewSpec> chosen = SpecViews.chosen(featureSpec, specFile, views);
    Set<String> ids = new LinkedHashSet<>(entities);
    if (ids.stream().anyMatch(String::isEmpty)) {
      throw new CliException("--entity is empty; give the id as the events carry it");
    }
    Catalog catalog = HistoryCatalogs.load(catalogOptions.catalogName, catalogOptions.properties());
    try (FeatureClient client = cassandra.client().requestTimeout(Duration.ofSeconds(10)).build()) {
      for (ViewSpec view : chosen) {
        out.println(view.name());
        // online first: a reader never sees the online value of an entity whose history is gone.
        // The job's writes carry timestamps from valid_from (WriteVersion), far above a clock's
        // microseconds: the delete takes the timestamp of a write valid now, so that it covers
        // every value up to now and a later update of the entity is written again.
        long deleteTimestamp =
            WriteVersion.timestamp(
                System.currentTimeMillis(),
                WriteVersion.MAX_REVISION_SLOT,
                WriteVersion.EPOCHS - 1);
        for (String id : ids) {
          client
              .session()
              .execute(
                  SimpleStatement.newInstance(
                          "DELETE FROM "
                              + CqlIdentifier.fromInternal(cassandra.keyspace).asCql(false)
                              + "."
                              + CqlIdentifier.fromInternal(StoreNames.table(view.name()))
                                  .asCql(false)
                              + " USING TIMESTAMP ? WHERE "
                              + StoreColumn.ENTITY.column()
                              + " = ?",
                          deleteTimestamp,
                          id)
                      .setIdempotent(true));
        }
        out.println(
            "  online: deleted the rows of "
                + count(ids.size(), "entity", "entities")
                + " in "
                + cassandra.keyspace
                + "."
                + StoreNames.table(view.name()));
        TableIdentifier table = HistoryTables.identifier(catalogOptions.namespace, view.name());
        if (!catalog.tableExists(table)) {
          out.println("  history: no table " + table + " (nothing written yet)");
          continue;
        }
        Table t = catalog.loadTable(table);
        HistoryErasure.Result r = HistoryErasure.erase(t, ids);
        out.println(
            "  history: "
                + (r.snapshotId() == null
                    ? "no row of them in " + table
                    : "erased "
                        + count(r.rowsErased(), "row", "rows")
                        + " from "
                        + table
                        + " ("
                        + count(r.filesReplaced(), "file", "files")
                        + " replaced by "
                        + r.filesWritten()
                        + ", snapshot "
                        + r.snapshotId()
                        + ")"));
        if (r.olderSnapshots() > 0) {
          out.println(
              "  "
                  + count(r.olderSnapshots(), "older snapshot", "older snapshots")
                  + " of "
                  + table
                  + " may still read them until they expire: freshet maintain --older-than 0s"
                  + " --force (breaks training-set manifests that pin them; it names them)");
        }
      }
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
    return 0;
  }

  private static String count(long n, String one, String many) {
    return String.format("%,d %s", n, n == 1 ? one : many);
  }
}
