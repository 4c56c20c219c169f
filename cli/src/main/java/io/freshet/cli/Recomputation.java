package io.freshet.cli;

import io.freshet.avro.Decoded;
import io.freshet.avro.EventRow;
import io.freshet.connectors.kafka.EventDecoder;
import io.freshet.operators.features.Expectations;
import io.freshet.operators.features.NaiveOracle;
import io.freshet.operators.features.SourceFields;
import io.freshet.spec.FeatureDef;
import io.freshet.spec.FeatureSpec;
import io.freshet.spec.ViewSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Chosen entities' feature vectors recomputed from the source topic's events by the naive oracle
 * ({@link NaiveOracle}, the definition the engine is tested against), for the consistency check to
 * compare the stored vectors with.
 *
 * <p>The events are read and decoded as the job reads them ({@link EventDecoder}, plain Avro: a
 * topic in another wire format is not supported here), leaving out what the job leaves out: records
 * it dead-letters as undecodable, and records that break an expectation marked {@code dead_letter}.
 * A vector is recomputed only where that is sure to be what the job saw:
 *
 * <ul>
 *   <li>every partition of the topic still starts at offset 0 (retention has removed nothing);
 *   <li>no event of the entity could have been late: an event is counted as possibly late when its
 *       event time is at or behind its partition's newest event time so far minus the source's
 *       out-of-orderness, the highest the job's watermark can have been when it read it (the job's
 *       watermark is the least over partitions of that bound). Late events are applied on arrival
 *       or dropped as too late, which the topic alone cannot replay;
 *   <li>the row was written by the spec's current definition of the view (its spec_version; a row
 *       of another is not compared), and features still warming up are left out;
 *   <li>some record of the topic decodes as an event (else the topic is in another wire format than
 *       the settings given).
 * </ul>
 *
 * This assumes the job read the topic from its start (the default, {@code committed-or-earliest}
 * with a new group).
 */
final class Recomputation {
  /** Why nothing can be recomputed, or null when the topic's events are all there. */
  private final String unavailable;

  private final Map<String, List<NaiveOracle.Event>> events;
  private final Set<String> possiblyLate;
  private final SourceFields fields;
  private final FeatureSpec spec;

  private Recomputation(
      FeatureSpec spec,
      String unavailable,
      Map<String, List<NaiveOracle.Event>> events,
      Set<String> possiblyLate,
      SourceFields fields) {
    this.unavailable = unavailable;
    this.events = events;
    this.possiblyLate = possiblyLate;
    this.fields = fields;
    this.spec = spec;
  }

  /** Reads the events of {@code entities} from the spec's source topic (plain Avro). */
  static Recomputation read(
      FeatureSpec spec, Set<String> entities, String bootstrapServers, Properties clientSettings) {
    SourceFields fields = SourceFields.of(spec);
    EventDecoder decoder = new EventDecoder(spec.source(), fields.names());
    List<Expectations.Check> deadLettering =
        Expectations.of(spec, fields).sourceChecks().stream()
            .filter(Expectations.Check::deadLetter)
            .toList();
    long outOfOrderness = spec.source().maxOutOfOrderness().toMillis();
    Map<Integer, Long> newestPerPartition = new HashMap<>();
    Map<String, List<NaiveOracle.Event>> events = new HashMap<>();
    Set<String> possiblyLate = new HashSet<>();
    String topic = spec.source().topic();
    Map<Integer, Long> firstOffsets;
    try {
      firstOffsets =
          TopicScan.read(
              bootstrapServers,
              clientSettings,
              topic,
              r -> {
                Decoded d =
                    decoder.decode(
                        r.key(), r.value(), r.topic(), r.partition(), r.offset(), r.timestamp());
                EventRow e = d.getEvent();
                if (e == null) {
                  return; // a dead letter for the job too
                }
                long newest = newestPerPartition.getOrDefault(r.partition(), Long.MIN_VALUE);
                newestPerPartition.put(r.partition(), Math.max(newest, e.getEventTime()));
                String entity = e.getEntity();
                if (!entities.contains(entity)) {
                  return;
                }
                for (Expectations.Check c : deadLettering) {
                  if (c.broken(e.getValues()) != null) {
                    return; // the job dead-letters it (reason EXPECTATION)
                  }
                }
                if (newest != Long.MIN_VALUE && e.getEventTime() <= newest - outOfOrderness) {
                  possiblyLate.add(entity);
                }
                events
                    .computeIfAbsent(entity, k -> new ArrayList<>())
                    .add(new NaiveOracle.Event(e.getEventTime(), new ArrayList<>(e.getValues())));
              });
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new CliException(
          "could not read the source topic "
              + topic
              + " from "
              + bootstrapServers
              + " to recompute features: "
              + e.getMessage()
              + "; give --bootstrap-servers (and --kafka-properties), or --recompute 0 to compare"
              + " the stores alone");
    }
    String unavailable = null;
    if (firstOffsets.isEmpty()) {
      unavailable = "the source topic " + topic + " does not exist";
    } else {
      for (Map.Entry<Integer, Long> f : firstOffsets.entrySet()) {
        if (f.getValue() > 0) {
          unavailable =
              "the source topic "
                  + topic
                  + " no longer holds every event (partition "
                  + f.getKey()
                  + " starts at offset "
                  + f.getValue()
                  + ")";
          break;
        }
      }
    }
    return new Recomputation(spec, unavailable, events, possiblyLate, fields);
  }

  /** Why nothing can be recomputed, or null. */
  String unavailable() {
    return unavailable;
  }

  /** Why this entity's vectors cannot be recomputed, or null when they can. */
  String notRecomputable(String entity) {
    if (unavailable != null) {
      return unavailable;
    }
    if (possiblyLate.contains(entity)) {
      return "an event may have come late";
    }
    return null;
  }

  /** Whether a row of this spec_version holds the view's current definition's values. */
  boolean current(ViewSpec view, String specVersion) {
    return view.version(spec.source()).equals(specVersion);
  }

  /**
   * The features whose stored value differs from the recomputation at {@code validFrom}, as "name:
   * stored X, recomputed Y"; empty when none.
   *
   * @param warming features still warming up in the stored vector (not compared)
   */
  String differences(
      ViewSpec view, String entity, long validFrom, Object[] stored, Set<String> warming) {
    Object[] expected =
        new NaiveOracle(view, fields).vector(events.getOrDefault(entity, List.of()), validFrom);
    List<String> out = new ArrayList<>();
    List<FeatureDef> features = view.features();
    for (int i = 0; i < features.size(); i++) {
      FeatureDef f = features.get(i);
      if (!warming.contains(f.name()) && !same(f, stored[i], expected[i])) {
        out.add(f.name() + ": stored " + stored[i] + ", recomputed " + expected[i]);
      }
    }
    return String.join("; ", out);
  }

  /**
   * Whether a stored value is the recomputed one, within the documented accuracy of its feature
   * (docs/semantics.md): {@code approx_percentile} within 1% and {@code approx_count_distinct}
   * within 8% (five standard errors), any other double within 1e-9 relative (1e-6 absolute near 0)
   * for the order in which sums are added; other values equal.
   */
  static boolean same(FeatureDef f, Object stored, Object recomputed) {
    if (stored instanceof Number s && recomputed instanceof Number r) {
      double accuracy = f.aggregation().relativeAccuracy();
      double bound = accuracy > 0 ? accuracy : 1e-9;
      if (stored instanceof Double || recomputed instanceof Double || accuracy > 0) {
        double tolerance = bound * Math.abs(r.doubleValue()) + 1e-6;
        return Math.abs(s.doubleValue() - r.doubleValue()) <= tolerance;
      }
      return s.longValue() == r.longValue();
    }
    if (stored instanceof CharSequence || recomputed instanceof CharSequence) {
      return Objects.equals(Objects.toString(stored, null), Objects.toString(recomputed, null));
    }
    return Objects.equals(stored, recomputed);
  }
}
