package io.freshet.services;

/** The servers that {@link LocalServices} runs, each in its own JVM. */
public enum Service {
  KAFKA("Kafka", "kafka"),
  CASSANDRA("Cassandra", "cassandra");

  private final String displayName;
  private final String id;

  Service(String displayName, String id) {
    this.displayName = displayName;
    this.id = id;
  }

  /** Human name used in messages, e.g. "Cassandra". */
  public String displayName() {
    return displayName;
  }

  /** Lower-case id used in file names and JVM markers, e.g. "cassandra". */
  public String id() {
    return id;
  }
}
