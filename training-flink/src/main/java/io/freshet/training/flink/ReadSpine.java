package io.freshet.training.flink;

import io.freshet.training.Spine;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Reads a spine file (its path is the input element) through the training module's {@link Spine}:
 * the same parsing, timestamp rules and errors (with the row number) as the in-process builder.
 * Each row is numbered by its position in the file. One file, so one reader: the spine is read once
 * and sequentially, like a CSV must be.
 */
final class ReadSpine implements FlatMapFunction<String, SpineRow> {
  private static final long serialVersionUID = 1L;

  private final String entityColumn;
  private final String timestampColumn;
  private final Schema spineSchema;

  ReadSpine(String entityColumn, String timestampColumn, Schema spineSchema) {
    this.entityColumn = entityColumn;
    this.timestampColumn = timestampColumn;
    this.spineSchema = spineSchema;
  }

  @Override
  public void flatMap(String path, Collector<SpineRow> out) throws Exception {
    int columns = spineSchema.getFields().size();
    try (Spine spine = Spine.open(Path.of(path), entityColumn, timestampColumn)) {
      long row = 0;
      while (spine.next()) {
        Object[] values = spine.values();
        GenericData.Record record = new GenericData.Record(spineSchema);
        for (int i = 0; i < columns; i++) {
          record.put(i, values[i]);
        }
        SpineRow r = new SpineRow();
        r.row = row++;
        r.entity = spine.entity();
        r.timestamp = spine.timestamp();
        r.values = record;
        out.collect(r);
      }
    }
  }
}
