package io.freshet.spec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature view: features of one entity computed together, stored together (one Cassandra table,
 * one Iceberg table) and versioned together.
 *
 * @param name view name, unique in the spec
 * @param ttl a value whose last event is older than this is EXPIRED in serving and null in training
 *     sets; the entity's state is dropped after this much silence
 * @param tile the view's tile size if declared, else null (each feature then uses the default rule,
 *     see {@link Tiles#defaultTile})
 * @param features the features, in declared order (the order of values in an update)
 * @param expectations data expectations on source fields
 * @param docs the view's description, owner and tags
 * @param featureDocs each feature's description, owner and tags, by feature name (features without
 *     any are absent)
 * @param requestFields the fields a read passes for request-time features, with their types, in
 *     declared order
 * @param requestFeatures features computed when read, from stored features and request fields
 * @param rules cross-field expectations on source fields
 * @param expectationPeriod the event-time period over which null rates are measured and violations
 *     reported
 * @param featureExpectations data expectations on the values of the view's features (field: the
 *     feature's name), checked on every update; never dead-lettered
 */
public record ViewSpec(
    String name,
    Duration ttl,
    Duration tile,
    List<FeatureDef> features,
    List<Expectation> expectations,
    Docs docs,
    Map<String, Docs> featureDocs,
    Map<String, ValueType> requestFields,
    List<RequestFeature> requestFeatures,
    List<ExpectationRule> rules,
    Duration expectationPeriod,
    List<Expectation> featureExpectations)
    implements java.io.Serializable {

  /** The expectation period when the spec gives none. */
  public static final Duration DEFAULT_EXPECTATION_PERIOD = Duration.ofMinutes(1);

  public ViewSpec {
    features = List.copyOf(features);
    expectations = List.copyOf(expectations);
    docs = docs == null ? Docs.NONE : docs;
    featureDocs = Map.copyOf(featureDocs);
    requestFields = Collections.unmodifiableMap(new LinkedHashMap<>(requestFields));
    requestFeatures = List.copyOf(requestFeatures);
    rules = List.copyOf(rules);
    expectationPeriod = expectationPeriod == null ? DEFAULT_EXPECTATION_PERIOD : expectationPeriod;
    featureExpectations = List.copyOf(featureExpectations);
  }

  /** A view without expectations on feature values. */
  public ViewSpec(
      String name,
      Duration ttl,
      Duration tile,
      List<FeatureDef> features,
      List<Expectation> expectations,
      Docs docs,
      Map<String, Docs> featureDocs,
      Map<String, ValueType> requestFields,
      List<RequestFeature> requestFeatures,
      List<ExpectationRule> rules,
      Duration expectationPeriod) {
    this(
        name,
        ttl,
        tile,
        features,
        expectations,
        docs,
        featureDocs,
        requestFields,
        requestFeatures,
        rules,
        expectationPeriod,
        List.of());
  }

  /** A view without rules, with the default expectation period. */
  public ViewSpec(
      String name,
      Duration ttl,
      Duration tile,
      List<FeatureDef> features,
      List<Expectation> expectations,
      Docs docs,
      Map<String, Docs> featureDocs,
      Map<String, ValueType> requestFields,
      List<RequestFeature> requestFeatures) {
    this(
        name,
        ttl,
        tile,
        features,
        expectations,
        docs,
        featureDocs,
        requestFields,
        requestFeatures,
        List.of(),
        null);
  }

  /** A view without docs. */
  public ViewSpec(
      String name,
      Duration ttl,
      Duration tile,
      List<FeatureDef> features,
      List<Expectation> expectations) {
    this(
        name,
        ttl,
        tile,
        features,
        expectations,
        Docs.NONE,
        Map.of(),
        Map.of(),
        List.of(),
        List.of(),
        null);
  }

  /** The features of a served vector: the stored ones in order, then the request-time ones. */
  public List<String> servedFeatures() {
    List<String> all = new java.util.ArrayList<>();
    features.forEach(f -> all.add(f.name()));
    requestFeatures.forEach(r -> all.add(r.name()));
    return all;
  }

  /** A feature's position in a served vector ({@link #servedFeatures}), or -1. */
  public int servedIndexOf(String featureName) {
    return servedFeatures().indexOf(featureName);
  }

  /** A request-time feature by name, or null. */
  public RequestFeature requestFeature(String featureName) {
    for (RequestFeature r : requestFeatures) {
      if (r.name().equals(featureName)) {
        return r;
      }
    }
    return null;
  }

  /**
   * What a request-time feature's expression may read: the stored features (by their output types)
   * and the request fields.
   */
  public Map<String, ValueType> expressionInputs() {
    return expressionInputs(features, requestFields);
  }

  static Map<String, ValueType> expressionInputs(
      List<FeatureDef> features, Map<String, ValueType> requestFields) {
    Map<String, ValueType> in = new LinkedHashMap<>();
    for (FeatureDef f : features) {
      in.put(f.name(), f.outputType());
    }
    in.putAll(requestFields);
    return in;
  }

  /** A feature's docs, or {@link Docs#NONE}. */
  public Docs docsOf(String feature) {
    return featureDocs.getOrDefault(feature, Docs.NONE);
  }

  /** The index of a feature by name, or -1. */
  public int indexOf(String featureName) {
    for (int i = 0; i < features.size(); i++) {
      if (features.get(i).name().equals(featureName)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A short hash of everything that defines this view's values (features, windows, tiles, ttl and
   * the source's entity and event time), stamped on every update so that stored values can be
   * traced to the definition that computed them.
   */
  public String version(SourceSpec source) {
    StringBuilder sb = new StringBuilder();
    sb.append(source.name())
        .append('|')
        .append(source.entityField())
        .append('|')
        .append(source.eventTimeField());
    sb.append('|').append(name).append('|').append(ttl.toMillis());
    for (FeatureDef f : features) {
      sb.append('\n').append(f.canonical());
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present", e);
    }
  }
}
