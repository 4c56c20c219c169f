package io.freshet.spec;

import java.time.Duration;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * The event source of a spec: a Kafka topic of Avro records.
 *
 * @param name source name (also names its dead-letter and late topics)
 * @param topic Kafka topic of Avro records
 * @param schemaRef the {@code schema:} entry as written (an .avsc name or path)
 * @param schema the parsed Avro schema
 * @param entityField key field (string or long)
 * @param eventTimeField event time field (timestamp-millis or long epoch millis)
 * @param maxOutOfOrderness watermark bound
 * @param allowedLateness events later than the watermark by up to this update state as corrections;
 *     later ones go to the late path
 * @param idleTimeout a partition with no data for this long stops holding back the watermark
 * @param archive past events read before the topic, or null
 * @param freshness the freshness SLA the job checks, or null
 */
public record SourceSpec(
    String name,
    String topic,
    String schemaRef,
    Schema schema,
    String entityField,
    String eventTimeField,
    Duration maxOutOfOrderness,
    Duration allowedLateness,
    Duration idleTimeout,
    ArchiveSpec archive,
    Freshness freshness)
    implements java.io.Serializable {

  public SourceSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(entityField, "entityField");
    Objects.requireNonNull(eventTimeField, "eventTimeField");
  }

  /** A source without a freshness SLA. */
  public SourceSpec(
      String name,
      String topic,
      String schemaRef,
      Schema schema,
      String entityField,
      String eventTimeField,
      Duration maxOutOfOrderness,
      Duration allowedLateness,
      Duration idleTimeout,
      ArchiveSpec archive) {
    this(
        name,
        topic,
        schemaRef,
        schema,
        entityField,
        eventTimeField,
        maxOutOfOrderness,
        allowedLateness,
        idleTimeout,
        archive,
        null);
  }

  /** A source without an archive. */
  public SourceSpec(
      String name,
      String topic,
      String schemaRef,
      Schema schema,
      String entityField,
      String eventTimeField,
      Duration maxOutOfOrderness,
      Duration allowedLateness,
      Duration idleTimeout) {
    this(
        name,
        topic,
        schemaRef,
        schema,
        entityField,
        eventTimeField,
        maxOutOfOrderness,
        allowedLateness,
        idleTimeout,
        null);
  }

  /** The same source on another topic (tests, and running one spec against several topics). */
  public SourceSpec withTopic(String newTopic) {
    return new SourceSpec(
        name,
        newTopic,
        schemaRef,
        schema,
        entityField,
        eventTimeField,
        maxOutOfOrderness,
        allowedLateness,
        idleTimeout,
        archive,
        freshness);
  }

  /** The same source with another idle timeout. */
  public SourceSpec withIdleTimeout(Duration newIdleTimeout) {
    return new SourceSpec(
        name,
        topic,
        schemaRef,
        schema,
        entityField,
        eventTimeField,
        maxOutOfOrderness,
        allowedLateness,
        newIdleTimeout,
        archive,
        freshness);
  }

  /** The same source with another archive (null: none). */
  public SourceSpec withArchive(ArchiveSpec newArchive) {
    return new SourceSpec(
        name,
        topic,
        schemaRef,
        schema,
        entityField,
        eventTimeField,
        maxOutOfOrderness,
        allowedLateness,
        idleTimeout,
        newArchive,
        freshness);
  }

  public String deadLetterTopic() {
    return topic + ".dead-letters";
  }

  /** The topic expectation violations are written to. */
  public String violationsTopic() {
    return topic + ".violations";
  }

  public String lateTopic() {
    return topic + ".late";
  }
}
