package io.freshet.serving;

import io.freshet.store.Expiry;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;

/**
 * The current feature vector of one entity in one view, as the online store holds it: a value,
 * status and age per feature, in the view's feature order.
 *
 * <p>Status rule (the same as training sets): no row: every feature MISSING; {@linkplain Expiry
 * expired} ({@code now - last_event_time > ttl}): every feature EXPIRED (values withheld); else
 * PRESENT, WARMING_UP for a feature the row lists as warming up, or MISSING for a feature whose
 * stored value is null.
 *
 * <p>A view's request-time features follow its stored ones: computed from the values served here
 * (null unless PRESENT) and the request's fields ({@link io.freshet.spec.RequestFeatures}), as
 * training sets compute them from the values they join and the spine's columns. PRESENT with a
 * value; without one (an input null, or an evaluation that failed) EXPIRED when the row is, else
 * MISSING.
 */
public final class FeatureVector {
  private final ViewMetadata view;
  private final String entity;
  private final boolean found;
  private final long validFrom;
  private final long lastEventTime;
  private final long writtenAt;
  private final String specVersion;
  private final int revision;
  private final Object[] values;
  private Object[] computed;
  private final java.util.List<String> warmingUp;
  private final FeatureStatus rowStatus;
  private final Duration age;

  FeatureVector(
      ViewMetadata view,
      String entity,
      boolean found,
      long validFrom,
      long lastEventTime,
      long writtenAt,
      String specVersion,
      int revision,
      Object[] values,
      java.util.List<String> warmingUp,
      long nowMillis) {
    this.view = view;
    this.entity = entity;
    this.found = found;
    this.validFrom = validFrom;
    this.lastEventTime = lastEventTime;
    this.writtenAt = writtenAt;
    this.specVersion = specVersion;
    this.revision = revision;
    this.values = values;
    this.warmingUp = warmingUp == null ? java.util.List.of() : warmingUp;
    if (!found) {
      rowStatus = FeatureStatus.MISSING;
      age = null;
    } else {
      long ageMillis = nowMillis - lastEventTime;
      age = Duration.ofMillis(ageMillis);
      rowStatus =
          Expiry.expired(lastEventTime, nowMillis, view.ttl().toMillis())
              ? FeatureStatus.EXPIRED
              : FeatureStatus.PRESENT;
    }
  }

  static FeatureVector missing(ViewMetadata view, String entity) {
    return new FeatureVector(view, entity, false, 0, 0, 0, null, 0, null, null, 0);
  }

  /** Sets the request-time features' values (in the view's order); once, before publication. */
  void computed(Object[] requestValues) {
    this.computed = requestValues;
  }

  public String view() {
    return view.name();
  }

  public String entity() {
    return entity;
  }

  /** Whether the store has a row for the entity (possibly expired). */
  public boolean found() {
    return found;
  }

  /** The features the stored vector lists as warming up (empty when none). */
  public java.util.List<String> warmingUp() {
    return warmingUp;
  }

  /** PRESENT, EXPIRED or MISSING for the vector as a whole (no row: MISSING). */
  public FeatureStatus status() {
    return rowStatus;
  }

  /** Age of the newest event behind the vector ({@code now - last_event_time}), or null. */
  public Duration age() {
    return age;
  }

  /** Event time (epoch ms) from which the stored vector holds; 0 if not found. */
  public long validFrom() {
    return validFrom;
  }

  /** Newest event applied (epoch ms); the ttl is measured from it. 0 if not found. */
  public long lastEventTime() {
    return lastEventTime;
  }

  /** When the job wrote the vector (processing time), or null if not found. */
  public Instant writtenAt() {
    return found ? Instant.ofEpochMilli(writtenAt) : null;
  }

  public String specVersion() {
    return specVersion;
  }

  public int revision() {
    return revision;
  }

  /** Features in the vector: the view's stored features, then its request-time features. */
  public int size() {
    return view.size();
  }

  /** The i-th feature of the view (stored, then request-time). */
  public FeatureValue get(int i) {
    FeatureStatus status;
    Object v = null;
    int stored = view.features().size();
    if (i >= stored) {
      v = computed == null ? null : computed[i - stored];
      status =
          v != null
              ? FeatureStatus.PRESENT
              : rowStatus == FeatureStatus.EXPIRED ? FeatureStatus.EXPIRED : FeatureStatus.MISSING;
      return new FeatureValue(view.featureName(i), view.featureType(i), v, status, age);
    }
    if (rowStatus != FeatureStatus.PRESENT) {
      status = rowStatus;
    } else {
      v = values[i];
      if (v == null && warmingUp.contains(view.features().get(i))) {
        status = FeatureStatus.WARMING_UP;
      } else {
        status = v == null ? FeatureStatus.MISSING : FeatureStatus.PRESENT;
      }
    }
    return new FeatureValue(view.features().get(i), view.types().get(i), v, status, age);
  }

  /** A feature by name. */
  public FeatureValue get(String feature) {
    int i = view.indexOf(feature);
    if (i < 0) {
      throw new IllegalArgumentException(
          "view '"
              + view.name()
              + "' has no feature '"
              + feature
              + "'; it has "
              + view.allFeatures());
    }
    return get(i);
  }

  /** The raw value of the i-th feature if PRESENT, else null (no allocation). */
  public Object value(int i) {
    int stored = view.features().size();
    if (i >= stored) {
      return computed == null ? null : computed[i - stored];
    }
    return rowStatus == FeatureStatus.PRESENT ? values[i] : null;
  }

  /** All features, in the view's order. */
  public List<FeatureValue> features() {
    return new AbstractList<>() {
      @Override
      public FeatureValue get(int i) {
        return FeatureVector.this.get(i);
      }

      @Override
      public int size() {
        return FeatureVector.this.size();
      }
    };
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("FeatureVector{")
            .append(view.name())
            .append('/')
            .append(entity)
            .append(' ')
            .append(rowStatus);
    for (FeatureValue f : features()) {
      sb.append(", ").append(f.name()).append('=').append(f.value()).append(' ').append(f.status());
    }
    return sb.append('}').toString();
  }
}
