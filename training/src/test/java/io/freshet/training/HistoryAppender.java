package io.freshet.training;

import io.freshet.store.StoreColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Appends history rows to a history table with Iceberg's generic Parquet writer, one file per day
 * partition and one commit per call: the table as the Flink sink leaves it, without Flink.
 */
public final class HistoryAppender {
  private HistoryAppender() {}

  /** One history row, times in epoch milliseconds, values in the view's feature order. */
  public record Row(
      String entity,
      long validFrom,
      long lastEventTime,
      long writtenAt,
      int revision,
      List<Object> values) {}

  public static OffsetDateTime ts(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
  }

  public static Record toRecord(Table table, Row r) {
    GenericRecord rec = GenericRecord.create(table.schema());
    rec.setField(StoreColumn.ENTITY.column(), r.entity());
    rec.setField(StoreColumn.VALID_FROM.column(), ts(r.validFrom()));
    rec.setField(StoreColumn.LAST_EVENT_TIME.column(), ts(r.lastEventTime()));
    rec.setField(StoreColumn.WRITTEN_AT.column(), ts(r.writtenAt()));
    rec.setField(StoreColumn.SPEC_VERSION.column(), "test");
    rec.setField(StoreColumn.CORRECTION.column(), r.revision() > 0);
    rec.setField(StoreColumn.REVISION.column(), r.revision());
    int meta = StoreColumn.ALL.size();
    for (int i = 0; i < r.values().size(); i++) {
      rec.set(meta + i, r.values().get(i));
    }
    return rec;
  }

  /** Appends rows in one commit; returns the new snapshot id. */
  public static long append(Table table, Iterable<Record> rows) {
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    Map<PartitionKey, DataWriter<Record>> writers = new LinkedHashMap<>();
    try {
      for (Record r : rows) {
        key.partition(wrapper.wrap(r));
        DataWriter<Record> w = writers.get(key);
        if (w == null) {
          PartitionKey pk = key.copy();
          OutputFile out =
              table
                  .io()
                  .newOutputFile(
                      table
                          .locationProvider()
                          .newDataLocation(table.spec(), pk, UUID.randomUUID() + ".parquet"));
          w =
              Parquet.writeData(out)
                  .schema(table.schema())
                  .createWriterFunc(mt -> GenericParquetWriter.create(table.schema(), mt))
                  .withSpec(table.spec())
                  .withPartition(pk)
                  .overwrite()
                  .build();
          writers.put(pk, w);
        }
        w.write(r);
      }
      AppendFiles append = table.newAppend();
      for (DataWriter<Record> w : writers.values()) {
        w.close();
        append.appendFile(w.toDataFile());
      }
      append.commit();
      table.refresh();
      return table.currentSnapshot().snapshotId();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
