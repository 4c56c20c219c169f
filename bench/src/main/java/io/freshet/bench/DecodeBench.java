package io.freshet.bench;

import io.freshet.avro.Decoded;
import io.freshet.connectors.kafka.EventDecoder;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * The Kafka source's decoding cost per record, a command: the engine benchmark's generated payments
 * as Avro binary, decoded by Avro's reader alone (what a decoder without checks costs), by the skip
 * pass alone (what bounds every length before the read), and by {@link EventDecoder} (skip, read
 * and the checks). Prints nanoseconds per record (min and median of the timed passes).
 *
 * <pre>
 * java ... io.freshet.bench.DecodeBench [records] [passes] [spec]
 * </pre>
 */
public final class DecodeBench {
  private DecodeBench() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    FeatureSpec spec =
        SpecParser.parse(Path.of(args.length > 2 ? args[2] : "examples/payments/payments.yaml"));
    Schema schema = spec.source().schema();
    PaymentGenerator gen = new PaymentGenerator(42, records, 50_000, 7);
    List<byte[]> values = new ArrayList<>(records);
    GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(schema);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    BinaryEncoder enc = null;
    for (long i = 0; i < records; i++) {
      PaymentGenerator.Payment p = gen.payment(i);
      GenericRecord r = new GenericData.Record(schema);
      for (Schema.Field f : schema.getFields()) {
        r.put(f.name(), p.field(f.name()));
      }
      buf.reset();
      enc = EncoderFactory.get().binaryEncoder(buf, enc);
      writer.write(r, enc);
      enc.flush();
      values.add(buf.toByteArray());
    }
    List<String> fields = List.of("amount", "merchant_id", "country");
    EventDecoder decoder = new EventDecoder(spec.source(), fields);
    GenericDatumReader<GenericRecord> reader =
        new GenericDatumReader<>(schema, schema, new GenericData());
    long[][] ns = new long[3][passes];
    long sink = 0;
    for (int pass = -2; pass < passes; pass++) {
      BinaryDecoder d = null;
      long t0 = System.nanoTime();
      for (byte[] v : values) {
        d = DecoderFactory.get().binaryDecoder(v, d);
        sink += reader.read(null, d).hashCode() & 1;
      }
      long t1 = System.nanoTime();
      for (byte[] v : values) {
        d = DecoderFactory.get().binaryDecoder(v, d);
        GenericDatumReader.skip(schema, d);
        sink += d.isEnd() ? 1 : 0;
      }
      long t2 = System.nanoTime();
      for (byte[] v : values) {
        Decoded out = decoder.decode(null, v, "payments", 0, 0L, 0L);
        sink += out.getEvent() != null ? 1 : 0;
      }
      long t3 = System.nanoTime();
      if (pass >= 0) {
        ns[0][pass] = (t1 - t0) / records;
        ns[1][pass] = (t2 - t1) / records;
        ns[2][pass] = (t3 - t2) / records;
      }
    }
    String[] names = {
      "Avro's reader alone", "the skip pass alone", "EventDecoder (skip, read, checks)"
    };
    System.out.printf(
        "%,d records, %d timed passes (after 2 warm-up), sink %d%n", records, passes, sink);
    for (int i = 0; i < 3; i++) {
      long[] sorted = ns[i].clone();
      Arrays.sort(sorted);
      System.out.printf(
          "%-36s ns per record: min %d, median %d%n", names[i], sorted[0], sorted[passes / 2]);
    }
  }
}
