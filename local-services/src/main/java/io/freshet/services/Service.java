package io.freshet.services;

/**
 * The servers that {@link LocalServices} runs, each in its own JVM. An optional one starts only
 * when asked for by name ({@code freshet services start --rest-catalog}, {@code --object-store},
 * {@code --schema-registry}, {@code --zookeeper}).
 */
public enum Service {
  KAFKA("Kafka", "kafka", false),
  CASSANDRA("Cassandra", "cassandra", false),
  REST_CATALOG("Iceberg REST catalog", "rest-catalog", true),
  OBJECT_STORE("S3 object store", "object-store", true),
  SCHEMA_REGISTRY("Schema registry", "schema-registry", true),
  ZOOKEEPER("ZooKeeper", "zookeeper", true);

  private final String displayName;
  private final String id;
  private final boolean optional;

  Service(String displayName, String id, boolean optional) {
    this.displayName = displayName;
    this.id = id;
    this.optional = optional;
  }

  /** True when the service starts only when asked for by name. */
  public boolean optional() {
    return optional;
  }

  /** The services started by default: every one that is not optional. */
  public static java.util.EnumSet<Service> defaults() {
    java.util.EnumSet<Service> out = java.util.EnumSet.noneOf(Service.class);
    for (Service s : values()) {
      if (!s.optional) {
        out.add(s);
      }
    }
    return out;
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
