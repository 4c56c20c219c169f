package io.freshet.store.iceberg;

import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.freshet.spec.FeatureSpec;
import io.freshet.store.StoreColumn;
import io.freshet.testing.PaymentSpecs;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History tables on a real Iceberg catalog (the default JDBC catalog on SQLite, file warehouse):
 * created from a view, evolved by added features, keeping the columns of removed ones, and
 * protected from retyped ones.
 */
class HistoryTablesTest {

  @TempDir Path stateDir;

  @Test
  void theFixedColumnsComeFirstInStoreColumnOrderThenTheFeatures() {
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    assertThat(HistoryTables.schema(spec.views().get(0)).asStruct().toString())
        .isEqualTo(
            "struct<1: entity: required string, "
                + "2: valid_from: required timestamptz (event time the vector holds from), "
                + "3: last_event_time: required timestamptz"
                + " (newest event applied; ttl is measured from it), "
                + "4: written_at: required timestamptz (when the vector went online), "
                + "5: spec_version: required string, "
                + "6: correction: required boolean, "
                + "7: revision: required int (corrections of one valid_from count up), "
                + "8: warming_up: optional list<string> (features still warming up (added to"
                + " saved state): null in this row until their window has passed; null when"
                + " none), "
                + "9: txn_count_1h: optional long, "
                + "10: amount_sum_1h: optional double, "
                + "11: last_country: optional string>");
  }

  @Test
  void aTableMadeBeforeWarmingUpGainsItAmongTheFixedColumns() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM);
    Catalog catalog = catalog();
    try {
      // the table as it was created before the column existed
      Schema older =
          new Schema(
              HistoryTables.schema(spec.views().get(0)).columns().stream()
                  .filter(c -> !c.name().equals(StoreColumn.WARMING_UP.column()))
                  .toList());
      catalog.createTable(HistoryTables.identifier("freshet", "risk"), older);
      Table evolved = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      assertThat(evolved.schema().columns())
          .extracting(Types.NestedField::name)
          .as("fixed columns first (rows are laid out so), then the features")
          .containsExactly(
              "entity",
              "valid_from",
              "last_event_time",
              "written_at",
              "spec_version",
              "correction",
              "revision",
              "warming_up",
              "txn_count_1h",
              "amount_sum_1h");
      assertThat(evolved.schema().findField("warming_up").isOptional()).isTrue();
      // the same spec again changes nothing
      Table again = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      assertThat(again.schema().schemaId()).isEqualTo(evolved.schema().schemaId());
    } finally {
      close(catalog);
    }
  }

  @Test
  void addingAFeatureEvolvesTheTableAndKeepsItsHistory() throws Exception {
    FeatureSpec v1 = PaymentSpecs.oneView("risk", "30d", COUNT, SUM);
    FeatureSpec v2 = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    Catalog catalog = catalog();
    try {
      Table created = HistoryTables.ensure(catalog, "freshet", v1.source(), v1.views().get(0));
      assertThat(created.schema().findField("last_country")).isNull();
      long firstSchema = created.schema().schemaId();

      Table evolved = HistoryTables.ensure(catalog, "freshet", v2.source(), v2.views().get(0));
      Types.NestedField added = evolved.schema().findField("last_country");
      assertThat(added).isNotNull();
      assertThat(added.type()).isEqualTo(Types.StringType.get());
      assertThat(added.isOptional()).as("older rows read the new feature as null").isTrue();
      assertThat(evolved.schema().schemaId()).isNotEqualTo(firstSchema);
      assertThat(evolved.schemas()).containsKey((int) firstSchema);
      assertThat(evolved.properties())
          .containsEntry(HistoryTables.PROP_SPEC_VERSION, v2.views().get(0).version(v2.source()));
      // each version's features stay recorded: rows of v1 carry no value of last_country
      assertThat(evolved.properties())
          .containsEntry(
              HistoryTables.versionFeaturesProperty(v1.views().get(0).version(v1.source())),
              "txn_count_1h,amount_sum_1h")
          .containsEntry(
              HistoryTables.versionFeaturesProperty(v2.views().get(0).version(v2.source())),
              "txn_count_1h,amount_sum_1h,last_country");
      // the same spec again changes nothing
      Table again = HistoryTables.ensure(catalog, "freshet", v2.source(), v2.views().get(0));
      assertThat(again.schema().schemaId()).isEqualTo(evolved.schema().schemaId());
    } finally {
      close(catalog);
    }
  }

  @Test
  void removingAFeatureKeepsItsColumnAndHistoryAndNamesItAsRemoved() throws Exception {
    FeatureSpec a = PaymentSpecs.oneView("risk", "30d", COUNT, SUM);
    FeatureSpec b = PaymentSpecs.oneView("risk", "30d", COUNT);
    Catalog catalog = catalog();
    try {
      Table stored = HistoryTables.ensure(catalog, "freshet", a.source(), a.views().get(0));
      assertThat(HistoryTables.removedFeatures(stored.schema(), a.views().get(0))).isEmpty();
      long schemaA = stored.schema().schemaId();

      Table evolved = HistoryTables.ensure(catalog, "freshet", b.source(), b.views().get(0));
      assertThat(evolved.schema().schemaId()).as("nothing to change").isEqualTo(schemaA);
      assertThat(evolved.schema().findField("amount_sum_1h").type())
          .isEqualTo(Types.DoubleType.get());
      assertThat(HistoryTables.removedFeatures(evolved.schema(), b.views().get(0)))
          .containsExactly("amount_sum_1h");
      assertThat(evolved.properties())
          .containsEntry(HistoryTables.PROP_SPEC_VERSION, b.views().get(0).version(b.source()));

      // back to A: the column is the feature's again
      Table back = HistoryTables.ensure(catalog, "freshet", a.source(), a.views().get(0));
      assertThat(HistoryTables.removedFeatures(back.schema(), a.views().get(0))).isEmpty();
      assertThat(back.schema().schemaId()).isEqualTo(schemaA);
    } finally {
      close(catalog);
    }
  }

  @Test
  void retypingAFeatureIsRefusedWithWhatToDoAlsoBesideARemovedOne() throws Exception {
    FeatureSpec stored = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    FeatureSpec retyped =
        PaymentSpecs.oneView(
            "risk", "30d", COUNT, "{name: amount_sum_1h, agg: count, window: 1h}"); // double->long
    Catalog catalog = catalog();
    try {
      HistoryTables.ensure(catalog, "freshet", stored.source(), stored.views().get(0));
      assertThatThrownBy(
              () ->
                  HistoryTables.ensure(
                      catalog, "freshet", retyped.source(), retyped.views().get(0)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("feature 'amount_sum_1h' is LONG in the spec but double")
          .hasMessageNotContaining("last_country")
          .hasMessageContaining("give the changed feature a new name");
      Table unchanged = catalog.loadTable(HistoryTables.identifier("freshet", "risk"));
      assertThat(unchanged.schema().findField("amount_sum_1h").type())
          .isEqualTo(Types.DoubleType.get());
    } finally {
      close(catalog);
    }
  }

  @Test
  void writePropertiesAreSetOnNewTablesAndAddedToOldOnesWithoutOverriding() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM);
    Catalog catalog = catalog();
    try {
      Table created = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      assertThat(created.properties()).containsEntry("parquet.enable.dictionary", "false");

      // a table written before the property existed gets it on the next start
      created.updateProperties().remove("parquet.enable.dictionary").commit();
      Table older = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      assertThat(older.properties()).containsEntry("parquet.enable.dictionary", "false");

      // an operator's own choice stays
      older.updateProperties().set("parquet.enable.dictionary", "true").commit();
      Table chosen = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      assertThat(chosen.properties()).containsEntry("parquet.enable.dictionary", "true");
    } finally {
      close(catalog);
    }
  }

  private Catalog catalog() {
    return HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
  }

  private static void close(Catalog catalog) throws Exception {
    if (catalog instanceof AutoCloseable c) {
      c.close();
    }
  }
}
