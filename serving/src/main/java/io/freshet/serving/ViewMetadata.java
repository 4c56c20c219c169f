package io.freshet.serving;

import io.freshet.spec.Expression;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.RequestFeature;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the client needs to know about a view: its features with their types, in order, and its ttl.
 * Read from the {@code freshet_views} table the sink maintains, or taken from the spec.
 *
 * @param specVersion the spec version recorded by the job, or null when built from a spec alone
 * @param requestFields the fields a read may pass for request-time features, with their types
 * @param requestFeatures the features computed when read, after the stored ones in a vector
 */
public record ViewMetadata(
    String name,
    List<String> features,
    List<ValueType> types,
    Duration ttl,
    String specVersion,
    Map<String, ValueType> requestFields,
    List<RequestFeature> requestFeatures) {

  public ViewMetadata {
    features = List.copyOf(features);
    types = List.copyOf(types);
    requestFields = Collections.unmodifiableMap(new LinkedHashMap<>(requestFields));
    requestFeatures = List.copyOf(requestFeatures);
    if (features.size() != types.size()) {
      throw new IllegalArgumentException("features and types differ in length for view " + name);
    }
  }

  /** A view without request-time features. */
  public ViewMetadata(
      String name, List<String> features, List<ValueType> types, Duration ttl, String specVersion) {
    this(name, features, types, ttl, specVersion, Map.of(), List.of());
  }

  public static ViewMetadata of(SourceSpec source, ViewSpec view) {
    List<String> names = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      names.add(f.name());
      types.add(f.outputType());
    }
    return new ViewMetadata(
        view.name(),
        names,
        types,
        view.ttl(),
        source == null ? null : view.version(source),
        view.requestFields(),
        view.requestFeatures());
  }

  /**
   * The view as the job registered it: request-time features are compiled again here from their
   * expressions, over the stored features and the request fields.
   *
   * @throws IllegalStateException if an expression no longer compiles (a registry written by
   *     another Freshet version)
   */
  static ViewMetadata deployed(
      String name,
      List<String> features,
      List<ValueType> types,
      Duration ttl,
      String specVersion,
      Map<String, ValueType> requestFields,
      List<String> requestFeatures,
      List<String> expressions) {
    Map<String, ValueType> inputs = Expression.inputsOf(features, types);
    inputs.putAll(requestFields);
    List<RequestFeature> computed = new ArrayList<>();
    for (int i = 0; i < requestFeatures.size(); i++) {
      try {
        computed.add(
            new RequestFeature(
                requestFeatures.get(i), Expression.compile(expressions.get(i), inputs), null));
      } catch (Expression.Invalid e) {
        throw new IllegalStateException(
            "request feature '"
                + requestFeatures.get(i)
                + "' of view '"
                + name
                + "' does not compile: "
                + e.getMessage(),
            e);
      }
    }
    return new ViewMetadata(name, features, types, ttl, specVersion, requestFields, computed);
  }

  /** Number of features in a vector: the stored ones, then the request-time ones. */
  public int size() {
    return features.size() + requestFeatures.size();
  }

  /** The name of the i-th feature of a vector (stored, then request-time). */
  public String featureName(int i) {
    return i < features.size() ? features.get(i) : requestFeatures.get(i - features.size()).name();
  }

  /** The type of the i-th feature of a vector (stored, then request-time). */
  public ValueType featureType(int i) {
    return i < features.size() ? types.get(i) : requestFeatures.get(i - features.size()).type();
  }

  /** The index of a feature (stored, then request-time), or -1. */
  public int indexOf(String feature) {
    int i = features.indexOf(feature);
    if (i >= 0) {
      return i;
    }
    for (int r = 0; r < requestFeatures.size(); r++) {
      if (requestFeatures.get(r).name().equals(feature)) {
        return features.size() + r;
      }
    }
    return -1;
  }

  /** Every feature name of a vector: the stored ones, then the request-time ones. */
  public List<String> allFeatures() {
    List<String> all = new ArrayList<>(features);
    requestFeatures.forEach(r -> all.add(r.name()));
    return all;
  }

  static ValueType fromCql(String cql) {
    return switch (cql) {
      case "bigint" -> ValueType.LONG;
      case "double" -> ValueType.DOUBLE;
      case "text" -> ValueType.STRING;
      case "boolean" -> ValueType.BOOLEAN;
      default -> throw new IllegalStateException("unknown feature column type " + cql);
    };
  }
}
