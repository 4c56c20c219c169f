package io.freshet.connectors.cassandra;

import io.freshet.avro.FeatureUpdate;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.SpecParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Small specs over the payments example schema, and updates for them. */
public final class TestViews {
  private TestViews() {}

  /** A payments spec whose one view has the given name, ttl and feature lines. */
  public static FeatureSpec spec(String view, String ttl, String... features) {
    StringBuilder yaml =
        new StringBuilder(
            "source:\n  name: payments\n  topic: payments\n  schema: payment.avsc\n"
                + "  entity: customer_id\n  event_time: event_time\n"
                + "  max_out_of_orderness: 2s\n  allowed_lateness: 10m\n"
                + "views:\n  - name: "
                + view
                + "\n    ttl: "
                + ttl
                + "\n    features:\n");
    for (String f : features) {
      yaml.append("      - ").append(f).append('\n');
    }
    return SpecParser.parse(Path.of("../examples/payments/test.yaml"), yaml.toString());
  }

  static final String COUNT = "{name: txn_count_1h, agg: count, window: 1h}";
  static final String SUM = "{name: amount_sum_1h, agg: sum, field: amount, window: 1h}";
  static final String COUNTRY = "{name: last_country, agg: last, field: country}";
  static final String MAX = "{name: amount_max_1h, agg: max, field: amount, window: 1h}";

  /**
   * An update of the spec's view, written (written_at) when it became valid: a test's updates carry
   * no wall-clock time.
   */
  static FeatureUpdate update(
      FeatureSpec spec,
      String entity,
      long validFrom,
      long lastEventTime,
      int revision,
      Object... values) {
    var view = spec.views().get(0);
    return new FeatureUpdate(
        entity,
        view.name(),
        validFrom,
        lastEventTime,
        Arrays.asList(values),
        view.version(spec.source()),
        revision > 0,
        revision,
        validFrom,
        List.of());
  }
}
