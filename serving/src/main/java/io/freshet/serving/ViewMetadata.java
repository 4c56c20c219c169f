package io.freshet.serving;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client needs to know about a view: its features with their types, in order, and its ttl.
 * Read from the {@code freshet_views} table the sink maintains, or taken from the spec.
 *
 * @param specVersion the spec version recorded by the job, or null when built from a spec alone
 */
public record ViewMetadata(
    String name, List<String> features, List<ValueType> types, Duration ttl, String specVersion) {

  public ViewMetadata {
    features = List.copyOf(features);
    types = List.copyOf(types);
    if (features.size() != types.size()) {
      throw new IllegalArgumentException("features and types differ in length for view " + name);
    }
  }

  public static ViewMetadata of(SourceSpec source, ViewSpec view) {
    List<String> names = new ArrayList<>();
    List<ValueType> types = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      names.add(f.name());
      types.add(f.outputType());
    }
    return new ViewMetadata(
        view.name(), names, types, view.ttl(), source == null ? null : view.version(source));
  }

  /** The index of a feature, or -1. */
  public int indexOf(String feature) {
    return features.indexOf(feature);
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
