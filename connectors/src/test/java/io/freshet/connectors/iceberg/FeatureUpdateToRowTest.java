package io.freshet.connectors.iceberg;

import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.PaymentSpecs;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History rows follow the table's columns by name: a feature the spec no longer has keeps its
 * column (see {@link HistoryTables#evolve}) and the rows written from then on hold null in it.
 */
class FeatureUpdateToRowTest {
  private static final int META = StoreColumn.ALL.size();

  @TempDir Path stateDir;

  private static FeatureUpdate update(FeatureSpec spec, Object... values) {
    var view = spec.views().get(0);
    return new FeatureUpdate(
        "c1",
        view.name(),
        1_000L,
        1_000L,
        Arrays.asList(values),
        view.version(spec.source()),
        false,
        0,
        2_000L,
        List.of());
  }

  @Test
  void aRemovedFeaturesColumnIsNullInRowsWrittenUnderTheNewSpec() throws Exception {
    FeatureSpec a = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    // B drops the sum and reorders the rest
    FeatureSpec b = PaymentSpecs.oneView("risk", "30d", COUNTRY, COUNT);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
    try {
      Schema schemaA =
          HistoryTables.ensure(catalog, "freshet", a.source(), a.views().get(0)).schema();
      RowData underA =
          FeatureUpdateToRow.forTable(schemaA, a.views().get(0)).map(update(a, 3L, 7.5, "FR"));
      assertThat(underA.getLong(META)).isEqualTo(3L);
      assertThat(underA.getDouble(META + 1)).isEqualTo(7.5);
      assertThat(underA.getString(META + 2)).isEqualTo(StringData.fromString("FR"));

      Schema schemaB =
          HistoryTables.ensure(catalog, "freshet", b.source(), b.views().get(0)).schema();
      assertThat(schemaB.columns()).hasSize(META + 3); // amount_sum_1h stays
      assertThat(schemaB.columns().get(META + 1).name()).isEqualTo("amount_sum_1h");
      RowData underB =
          FeatureUpdateToRow.forTable(schemaB, b.views().get(0)).map(update(b, "DE", 4L));
      assertThat(underB.getArity()).isEqualTo(META + 3);
      assertThat(underB.getLong(META)).isEqualTo(4L);
      assertThat(underB.isNullAt(META + 1)).as("the removed feature").isTrue();
      assertThat(underB.getString(META + 2)).isEqualTo(StringData.fromString("DE"));
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }
}
