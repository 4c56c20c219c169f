package io.freshet.cli.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The labels spine of the payments example: which payments were fraud. A CSV with a header, {@code
 * customer_id,timestamp,payment_id,amount,country,label}, one row per labelled payment, in time
 * order: every burst payment (label 1) and one in twenty of the others (label 0). The timestamp is
 * the payment's event time, so a training set built with the default "strictly before" rule gets
 * the features a model would have seen when it scored the payment; amount and country are the
 * payment's (empty when null), the request fields of the example's request-time features.
 */
public final class Labels {
  private Labels() {}

  /** One spine row. */
  public record Row(
      String customerId,
      long timestamp,
      String paymentId,
      Double amount,
      String country,
      int label) {}

  /** The spine rows of a generator's payments, in time order. */
  public static List<Row> rows(PaymentsGenerator generator) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < generator.size(); i++) {
      PaymentsGenerator.Event e = generator.event(i);
      if (!e.valid() || e.tooLate() || (!e.fraud() && i % 20 != 0)) {
        continue;
      }
      rows.add(
          new Row(
              e.payment().getCustomerId(),
              e.payment().getEventTime().toEpochMilli(),
              e.payment().getPaymentId(),
              e.payment().getAmount(),
              e.payment().getCountry() == null ? null : e.payment().getCountry().toString(),
              e.fraud() ? 1 : 0));
    }
    rows.sort(Comparator.comparingLong(Row::timestamp).thenComparing(Row::paymentId));
    return rows;
  }

  /** Writes the spine CSV; returns its row count. */
  public static long write(PaymentsGenerator generator, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    List<Row> rows = rows(generator);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("customer_id,timestamp,payment_id,amount,country,label\n");
      for (Row r : rows) {
        w.write(
            r.customerId()
                + ","
                + Instant.ofEpochMilli(r.timestamp())
                + ","
                + r.paymentId()
                + ","
                + (r.amount() == null ? "" : r.amount().toString())
                + ","
                + (r.country() == null ? "" : r.country())
                + ","
                + r.label()
                + "\n");
      }
    }
    return rows.size();
  }
}
