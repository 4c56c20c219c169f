package io.freshet.connectors.iceberg;

import static io.freshet.testing.PaymentSpecs.COUNT;
import static io.freshet.testing.PaymentSpecs.COUNTRY;
import static io.freshet.testing.PaymentSpecs.SUM;
import static org.assertj.core.api.Assertions.assertThat;

import io.freshet.spec.FeatureSpec;
import io.freshet.store.iceberg.HistoryCatalogs;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.testing.PaymentSpecs;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history writer's warm-up writes every column of a real history table and leaves nothing. */
class HistoryWriterWarmUpTest {
  @TempDir Path stateDir;

  @Test
  void writesEveryColumnOfAHistoryTableAndLeavesNoFileBehind() throws Exception {
    FeatureSpec spec = PaymentSpecs.oneView("risk", "30d", COUNT, SUM, COUNTRY);
    Catalog catalog = HistoryCatalogs.load("freshet", HistoryCatalogs.complete(Map.of(), stateDir));
    try {
      Table table = HistoryTables.ensure(catalog, "freshet", spec.source(), spec.views().get(0));
      RowType rowType = FlinkSchemaUtil.convert(table.schema());
      RowData row = HistoryWriterWarmUp.sampleRow(rowType, 7);
      for (int f = 0; f < rowType.getFieldCount(); f++) {
        assertThat(row.isNullAt(f)).as(rowType.getFieldNames().get(f)).isFalse();
      }
      Set<String> before = warmUpDirs();

      long ms = HistoryWriterWarmUp.run(table.schema(), table.properties());

      assertThat(ms).isGreaterThanOrEqualTo(0);
      assertThat(warmUpDirs()).isEqualTo(before);
      // the table is untouched: no snapshot, no file
      table.refresh();
      assertThat(table.currentSnapshot()).isNull();
    } finally {
      if (catalog instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  @Test
  void aRequiredColumnWithoutASampleSkipsTheWarmUpInsteadOfFailing() {
    Schema schema =
        new Schema(Types.NestedField.required(1, "amount", Types.DecimalType.of(10, 2)));

    assertThat(HistoryWriterWarmUp.run(schema, Map.of())).isEqualTo(-1);
  }

  private static Set<String> warmUpDirs() {
    File[] all = new File(System.getProperty("java.io.tmpdir")).listFiles();
    return Arrays.stream(all == null ? new File[0] : all)
        .map(File::getName)
        .filter(n -> n.startsWith("freshet-history-warm-up"))
        .collect(Collectors.toSet());
  }
}
