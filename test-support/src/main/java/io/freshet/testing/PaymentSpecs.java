package io.freshet.testing;

import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;

/**
 * Small specs over the payments example's source (topic {@code payments}, schema {@code
 * payment.avsc}, entity {@code customer_id}, 2 s out of order, 10 min lateness), parsed and
 * validated as a user's YAML would be. Paths resolve from a module directory, where tests run.
 */
public final class PaymentSpecs {
  private PaymentSpecs() {}

  /** A count over 1 h. */
  public static final String COUNT = "{name: txn_count_1h, agg: count, window: 1h}";

  /** A sum of the amount over 1 h (a double). */
  public static final String SUM = "{name: amount_sum_1h, agg: sum, field: amount, window: 1h}";

  /** The last country (a string, lifetime). */
  public static final String COUNTRY = "{name: last_country, agg: last, field: country}";

  /** The largest amount over 1 h. */
  public static final String MAX = "{name: amount_max_1h, agg: max, field: amount, window: 1h}";

  /**
   * A payments spec whose one view has the given name, ttl (e.g. {@code 30d}) and features, each a
   * YAML flow mapping such as {@code {name: txn_count_1h, agg: count, window: 1h}}.
   */
  public static FeatureSpec oneView(String view, String ttl, String... features) {
    String yaml =
        """
        source: {name: payments, topic: payments, schema: payment.avsc, entity: customer_id,
                 event_time: event_time, max_out_of_orderness: 2s, allowed_lateness: 10m}
        views:
          - {name: %s, ttl: %s, features: [%s]}
        """
            .formatted(view, ttl, String.join(", ", features));
    return SpecParser.parse(Path.of("../examples/payments/test.yaml"), yaml);
  }
}
