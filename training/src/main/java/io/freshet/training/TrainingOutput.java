package io.freshet.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * The output file of a training set: Parquet through parquet-avro, Snappy, replacing any file of
 * that name. Every engine writes through here, so their files differ only in content.
 * Floating-point columns are written without a dictionary: their values rarely repeat, so the
 * dictionary would fill up and be dropped after costing a hash lookup per value.
 */
public final class TrainingOutput {
  private TrainingOutput() {}

  /** Opens a writer of records of {@code schema} (a {@link TrainingPlan#outputSchema()}). */
  public static ParquetWriter<GenericRecord> open(Path file, Schema schema) throws IOException {
    AvroParquetWriter.Builder<GenericRecord> builder =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file));
    for (Schema.Field f : schema.getFields()) {
      Schema.Type type = nonNull(f.schema()).getType();
      if (type == Schema.Type.DOUBLE || type == Schema.Type.FLOAT) {
        builder.withDictionaryEncoding(f.name(), false);
      }
    }
    return builder
        .withSchema(schema)
        .withDataModel(GenericData.get())
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /**
   * One output row for {@link #openRows}: the spine row's values (in the spine schema's order, as
   * the spine's Avro reader gives them), then, for each view, its feature values: row {@code
   * rows[v]} of {@code views[v]}, or all null when that is -1.
   */
  static final class Row {
    Object[] spine;
    final FeatureColumns[] views;
    final int[] rows;

    Row(FeatureColumns[] views) {
      this.views = views;
      this.rows = new int[views.length];
    }
  }

  /**
   * A writer of the same file as {@link #open} writes (same Parquet schema, footer metadata,
   * encodings and codec) from {@link Row}s, without an Avro record per row or a boxed feature value
   * per cell: the in-process builder's output path. Null when a spine column has a type it does not
   * write directly (anything but a plain or nullable long, int, double, float, boolean or string,
   * and longs and ints with a time logical type): then use {@link #open}.
   */
  static ParquetWriter<Row> openRows(Path file, Schema schema, int spineColumns)
      throws IOException {
    List<Schema.Field> fields = schema.getFields();
    for (int i = 0; i < spineColumns; i++) {
      if (kind(fields.get(i).schema()) == null) {
        return null;
      }
    }
    RowsBuilder builder = new RowsBuilder(new LocalOutputFile(file), schema, spineColumns);
    for (Schema.Field f : fields) {
      Schema.Type type = nonNull(f.schema()).getType();
      if (type == Schema.Type.DOUBLE || type == Schema.Type.FLOAT) {
        builder.withDictionaryEncoding(f.name(), false);
      }
    }
    return builder
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /** How a spine column is written directly, or null when it is not. */
  private static Schema.Type kind(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      List<Schema> types = s.getTypes();
      if (types.size() != 2
          || (types.get(0).getType() != Schema.Type.NULL
              && types.get(1).getType() != Schema.Type.NULL)) {
        return null;
      }
    }
    Schema t = nonNull(s);
    LogicalType lt = t.getLogicalType();
    return switch (t.getType()) {
      case LONG, INT ->
          lt == null
                  || lt instanceof LogicalTypes.TimestampMillis
                  || lt instanceof LogicalTypes.TimestampMicros
                  || lt instanceof LogicalTypes.TimestampNanos
                  || lt instanceof LogicalTypes.LocalTimestampMillis
                  || lt instanceof LogicalTypes.LocalTimestampMicros
                  || lt instanceof LogicalTypes.LocalTimestampNanos
                  || lt instanceof LogicalTypes.Date
                  || lt instanceof LogicalTypes.TimeMillis
                  || lt instanceof LogicalTypes.TimeMicros
              ? t.getType()
              : null;
      case DOUBLE, FLOAT, BOOLEAN, STRING -> lt == null ? t.getType() : null;
      default -> null;
    };
  }

  private static final class RowsBuilder extends ParquetWriter.Builder<Row, RowsBuilder> {
    private final Schema schema;
    private final int spineColumns;

    RowsBuilder(OutputFile file, Schema schema, int spineColumns) {
      super(file);
      this.schema = schema;
      this.spineColumns = spineColumns;
    }

    @Override
    protected RowsBuilder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(
          new AvroSchemaConverter(conf).convert(schema), schema, spineColumns);
    }
  }

  /**
   * parquet-avro's write support for its schema and footer metadata (so that the file is the one
   * {@link #open} writes), with rows written straight to the record consumer.
   */
  private static final class RowWriteSupport extends AvroWriteSupport<Row> {
    private final int spineColumns;
    private final String[] names;
    private final Schema.Type[] kinds;
    private final boolean[] nullable;
    private RecordConsumer out;

    RowWriteSupport(org.apache.parquet.schema.MessageType parquet, Schema schema, int spine) {
      super(parquet, schema, GenericData.get());
      this.spineColumns = spine;
      List<Schema.Field> fields = schema.getFields();
      this.names = new String[fields.size()];
      this.kinds = new Schema.Type[spine];
      this.nullable = new boolean[spine];
      for (int i = 0; i < fields.size(); i++) {
        names[i] = parquet.getFieldName(i);
        if (i < spine) {
          kinds[i] = kind(fields.get(i).schema());
          nullable[i] = fields.get(i).schema().getType() == Schema.Type.UNION;
        }
      }
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      super.prepareForWrite(recordConsumer);
      this.out = recordConsumer;
    }

    @Override
    public void write(Row row) {
      out.startMessage();
      for (int i = 0; i < spineColumns; i++) {
        Object v = row.spine[i];
        if (v == null) {
          if (!nullable[i]) {
            throw new IllegalArgumentException("null value for required field " + names[i]);
          }
          continue;
        }
        out.startField(names[i], i);
        switch (kinds[i]) {
          case LONG -> out.addLong(((Number) v).longValue());
          case INT -> out.addInteger(((Number) v).intValue());
          case DOUBLE -> out.addDouble(((Number) v).doubleValue());
          case FLOAT -> out.addFloat(((Number) v).floatValue());
          case BOOLEAN -> out.addBoolean((Boolean) v);
          default ->
              out.addBinary(
                  v instanceof Utf8 u
                      ? Binary.fromReusedByteArray(u.getBytes(), 0, u.getByteLength())
                      : Binary.fromCharSequence((CharSequence) v));
        }
        out.endField(names[i], i);
      }
      int i = spineColumns;
      for (int v = 0; v < row.views.length; v++) {
        FeatureColumns values = row.views[v];
        int r = row.rows[v];
        for (int f = 0, n = values.features(); f < n; f++, i++) {
          if (r < 0 || !values.isPresent(f, r)) {
            continue;
          }
          out.startField(names[i], i);
          switch (values.types[f]) {
            case LONG -> out.addLong(values.bits(f, r));
            case DOUBLE -> out.addDouble(Double.longBitsToDouble(values.bits(f, r)));
            case STRING -> out.addBinary(Binary.fromString(values.text(f, r)));
            case BOOLEAN -> out.addBoolean(values.bits(f, r) != 0);
          }
          out.endField(names[i], i);
        }
      }
      out.endMessage();
    }
  }

  /** The Avro type of a feature column's values (the column is a union with null). */
  static Schema schemaOf(io.freshet.spec.ValueType type) {
    return switch (type) {
      case LONG -> Schema.create(Schema.Type.LONG);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case STRING -> Schema.create(Schema.Type.STRING);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
    };
  }

  /** The non-null branch of an optional (null union) schema; the schema itself otherwise. */
  static Schema nonNull(Schema s) {
    if (s.getType() == Schema.Type.UNION) {
      for (Schema t : s.getTypes()) {
        if (t.getType() != Schema.Type.NULL) {
          return t;
        }
      }
    }
    return s;
  }
}
