package io.freshet.bench;

import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.types.Row;

/**
 * Generator functions for Flink's {@code DataGeneratorSource}: the same {@link PaymentGenerator}
 * events, as Freshet's {@link Decoded} records or as the SQL baseline's rows. Each parallel reader
 * reads a contiguous block of the number sequence; {@link PaymentGenerator#interleave} turns that
 * into an interleaved share of the event indexes, so all readers advance through event time
 * together (as the partitions of a Kafka topic would) and the watermark is not held back by one
 * reader.
 */
final class GeneratedPayments {
  private GeneratedPayments() {}

  /** Column names of the SQL baseline's source rows. */
  static final String[] ROW_FIELDS = {"event_id", "customer_id", "amount", "event_ms"};

  static final TypeInformation<Row> ROW_TYPE =
      Types.ROW_NAMED(ROW_FIELDS, Types.LONG, Types.STRING, Types.DOUBLE, Types.LONG);

  /** Payments as decoded Freshet events, with the spec's source fields in SourceFields order. */
  static final class AsDecoded implements GeneratorFunction<Long, Decoded> {
    private static final long serialVersionUID = 1L;
    private final PaymentGenerator gen;
    private final String[] fields;
    private transient int parallelism;

    AsDecoded(PaymentGenerator gen, List<String> fields) {
      this.gen = gen;
      this.fields = fields.toArray(new String[0]);
    }

    @Override
    public void open(SourceReaderContext ctx) {
      parallelism = ctx.currentParallelism();
    }

    @Override
    public Decoded map(Long n) {
      PaymentGenerator.Payment p =
          gen.payment(PaymentGenerator.interleave(n, gen.events(), parallelism));
      List<Object> values = new ArrayList<>(fields.length);
      for (String f : fields) {
        values.add(p.field(f));
      }
      return new Decoded(new EventRow(p.customerId(), p.eventTime(), values), null, -1, -1L);
    }
  }

  /** Payments as rows (event_id, customer_id, amount, event_ms) of {@link #ROW_TYPE}. */
  static final class AsRow implements GeneratorFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final PaymentGenerator gen;
    private transient int parallelism;

    AsRow(PaymentGenerator gen) {
      this.gen = gen;
    }

    @Override
    public void open(SourceReaderContext ctx) {
      parallelism = ctx.currentParallelism();
    }

    @Override
    public Row map(Long n) {
      PaymentGenerator.Payment p =
          gen.payment(PaymentGenerator.interleave(n, gen.events(), parallelism));
      return Row.of(p.index(), p.customerId(), p.amount(), p.eventTime());
    }
  }
}
