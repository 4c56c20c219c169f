package io.freshet.serving.http;

import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;

/** Two small specs over the payments example schema: views {@code risk} and {@code profile}. */
final class TestSpecs {
  private TestSpecs() {}

  /**
   * View {@code risk} (ttl 7d) of source {@code payments}: long, double and string features; a
   * description, owner and tags, and a feature with a description; two request-time features.
   */
  static final FeatureSpec RISK =
      parse(
          "risk.yaml",
          "source:\n  name: payments\n  topic: payments\n  schema: payment.avsc\n"
              + "  entity: customer_id\n  event_time: event_time\n"
              + "  max_out_of_orderness: 2s\n  allowed_lateness: 10m\n"
              + "views:\n  - name: risk\n    ttl: 7d\n"
              + "    description: Card risk per customer\n    owner: fraud-team\n"
              + "    tags: [fraud, payments]\n    features:\n"
              + "      - {name: txn_count_1h, agg: count, window: 1h}\n"
              + "      - {name: amount_avg_7d, agg: avg, field: amount, window: 7d}\n"
              + "      - {name: amount_p95_24h, agg: approx_percentile, field: amount, q: 0.95,"
              + " window: 24h}\n"
              + "      - {name: last_country, agg: last, field: country, description: where the card"
              + " was last used}\n"
              + "    request_fields: {amount: double, country: string}\n"
              + "    request_features:\n"
              + "      - {name: amount_vs_avg, expr: \"amount / amount_avg_7d\"}\n"
              + "      - {name: abroad, expr: \"country != last_country\"}\n");

  /** View {@code profile} (ttl 30d) of a second source, {@code accounts}. */
  static final FeatureSpec PROFILE =
      parse(
          "profile.yaml",
          "source:\n  name: accounts\n  topic: accounts\n  schema: payment.avsc\n"
              + "  entity: customer_id\n  event_time: event_time\n"
              + "  max_out_of_orderness: 2s\n  allowed_lateness: 10m\n"
              + "views:\n  - name: profile\n    ttl: 30d\n    features:\n"
              + "      - {name: merchants_30d, agg: approx_count_distinct, field: merchant_id,"
              + " window: 30d}\n"
              + "      - {name: first_country, agg: first, field: country}\n");

  private static FeatureSpec parse(String name, String yaml) {
    return SpecParser.parse(Path.of("../examples/payments").resolve(name), yaml);
  }
}
