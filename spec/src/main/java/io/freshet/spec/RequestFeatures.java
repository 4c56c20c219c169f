package io.freshet.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Computes a view's request-time features: the one implementation the serving client, the feature
 * server and training sets call, so a request-time feature cannot differ between training and
 * serving.
 *
 * <p>Rules (docs/spec-reference.md, "Request-time features"): the inputs are the stored features'
 * values as served (null unless PRESENT: an EXPIRED, WARMING_UP or MISSING feature is null) and the
 * request fields (absent is null). A feature is null when an input its expression reads is null;
 * null and counted (the {@code failures} callback) when its evaluation fails or gives a non-finite
 * number (a division by zero).
 */
public final class RequestFeatures {
  private RequestFeatures() {}

  /** Receives each evaluation that gave no value, with why. */
  @FunctionalInterface
  public interface Failures {
    void failed(RequestFeature feature, String reason);
  }

  /**
   * The request-time features' values, in {@code features} order.
   *
   * @param inputs stored feature values and request field values by name (a value null or absent is
   *     null), of their declared types
   */
  public static Object[] compute(
      List<RequestFeature> features, Map<String, ?> inputs, Failures failures) {
    Object[] out = new Object[features.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = compute(features.get(i), inputs, failures);
    }
    return out;
  }

  /** One request-time feature's value, as {@link #compute(List, Map, Failures)} gives it. */
  public static Object compute(RequestFeature feature, Map<String, ?> inputs, Failures failures) {
    try {
      return feature.expression().evaluate(inputs);
    } catch (Expression.Failure e) {
      failures.failed(feature, e.getMessage());
      return null;
    }
  }

  /**
   * A request's field values checked against the view's request fields and converted to their types
   * (an integral number for a long, any number for a double).
   *
   * @param view the view's name, for messages
   * @throws IllegalArgumentException naming an unknown field (with the fields there are) or a value
   *     of the wrong type (with what was expected)
   */
  public static Map<String, Object> requestValues(
      String view, Map<String, ValueType> fields, Map<String, ?> given) {
    return convert(view, fields, given, Expression::coerce);
  }

  /**
   * As {@link #requestValues(String, Map, Map)}, for values given as text (a command line's {@code
   * field=value}): each is parsed as its field's type.
   */
  public static Map<String, Object> parseRequestValues(
      String view, Map<String, ValueType> fields, Map<String, String> given) {
    return convert(view, fields, given, (type, v) -> Expression.parse(type, (String) v));
  }

  private static Map<String, Object> convert(
      String view,
      Map<String, ValueType> fields,
      Map<String, ?> given,
      BiFunction<ValueType, Object, Object> conversion) {
    Map<String, Object> out = new HashMap<>();
    for (Map.Entry<String, ?> e : given.entrySet()) {
      ValueType type = fields.get(e.getKey());
      if (type == null) {
        throw new IllegalArgumentException(
            "view '"
                + view
                + "' has no request field '"
                + e.getKey()
                + "'"
                + (fields.isEmpty()
                    ? " (it declares none)"
                    : "; its request fields are " + fields.keySet()));
      }
      try {
        out.put(e.getKey(), conversion.apply(type, e.getValue()));
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(
            "request field '" + e.getKey() + "' of view '" + view + "': " + x.getMessage(), x);
      }
    }
    return out;
  }
}
