package io.freshet.training.flink;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;

/**
 * An output row: the spine row's position (the output is sorted by it) and the record written, in
 * the training set's output schema. Serialized as a POJO ({@link #typeInfo}), never with Kryo.
 */
public class TrainingRow {
  /** 0-based position of the spine row. */
  public long row;

  /** The spine's columns, then the features. */
  public GenericRecord record;

  public TrainingRow() {}

  static TypeInformation<TrainingRow> typeInfo(Schema outputSchema) {
    return Types.POJO(
        TrainingRow.class,
        Map.of("row", Types.LONG, "record", new GenericRecordAvroTypeInfo(outputSchema)));
  }

  /** The spine position, to sort the output by. */
  static final class Position implements KeySelector<TrainingRow, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long getKey(TrainingRow r) {
      return r.row;
    }
  }
}
