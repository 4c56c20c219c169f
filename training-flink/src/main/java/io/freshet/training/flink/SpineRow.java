package io.freshet.training.flink;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;

/**
 * A spine row on its way through the join: its position in the spine file (which orders the
 * output), its entity and timestamp, and all its columns. Serialized as a POJO with the spine's
 * Avro schema for the columns ({@link #typeInfo}), never with Kryo.
 */
public class SpineRow {
  /** 0-based position in the spine file. */
  public long row;

  public String entity;

  /** Epoch milliseconds. */
  public long timestamp;

  /** All the spine's columns, kept for the output. */
  public GenericRecord values;

  public SpineRow() {}

  static TypeInformation<SpineRow> typeInfo(Schema spineSchema) {
    return Types.POJO(
        SpineRow.class,
        Map.of(
            "row", Types.LONG,
            "entity", Types.STRING,
            "timestamp", Types.LONG,
            "values", new GenericRecordAvroTypeInfo(spineSchema)));
  }
}
