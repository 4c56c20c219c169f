package io.freshet.store.iceberg;

import io.freshet.store.StoreNames;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg table of expectation and freshness violations, {@value StoreNames#VIOLATIONS_TABLE}
 * in the history namespace: one row per violation, with the columns of the {@code Violation} record
 * the job also writes to each source's violations topic (times as timestamps). Every job of the
 * namespace appends to it; the {@code source} column says whose a row is. Partitioned by the day
 * its period starts.
 */
public final class ViolationsTable {
  private ViolationsTable() {}

  /** The table's columns; ids are fixed: readers and writers of any version agree on them. */
  public static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "source", Types.StringType.get(), "spec source name"),
          Types.NestedField.optional(
              2, "view", Types.StringType.get(), "view of the expectation; null for freshness"),
          Types.NestedField.optional(
              3, "field", Types.StringType.get(), "source field; null for rules and freshness"),
          Types.NestedField.required(
              4,
              "rule",
              Types.StringType.get(),
              "min, max, allowed, max_null_rate, rule:<name>, max_silence or max_watermark_lag"),
          Types.NestedField.required(5, "expected", Types.StringType.get(), "what the spec asks"),
          Types.NestedField.required(6, "observed", Types.StringType.get(), "what was seen"),
          Types.NestedField.required(
              7, "violations", Types.LongType.get(), "records that broke it in the period"),
          Types.NestedField.required(
              8, "records", Types.LongType.get(), "records checked in the period"),
          Types.NestedField.required(
              9,
              "period_start",
              Types.TimestampType.withZone(),
              "event time the period starts; processing time for freshness"),
          Types.NestedField.required(
              10, "period_end", Types.TimestampType.withZone(), "exclusive end of the period"),
          Types.NestedField.required(
              11,
              "samples",
              Types.ListType.ofRequired(13, Types.StringType.get()),
              "up to 5 offending records: 'partition:offset entity=... value'"),
          Types.NestedField.required(
              12,
              "detected_at",
              Types.TimestampType.withZone(),
              "processing time the violation was decided"));

  public static TableIdentifier identifier(String namespace) {
    return TableIdentifier.of(Namespace.of(namespace), StoreNames.VIOLATIONS_TABLE);
  }

  /** The table, created in {@code namespace} (and the namespace with it) if absent. */
  public static Table ensure(Catalog catalog, String namespace) {
    TableIdentifier id = identifier(namespace);
    HistoryTables.ensureNamespace(catalog, id.namespace());
    if (!catalog.tableExists(id)) {
      try {
        return catalog
            .buildTable(id, SCHEMA)
            .withPartitionSpec(PartitionSpec.builderFor(SCHEMA).day("period_start").build())
            .withProperties(
                Map.of(
                    TableProperties.FORMAT_VERSION,
                    "2",
                    TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED,
                    "true"))
            .create();
      } catch (AlreadyExistsException raced) {
        // another job's sink created it
      }
    }
    return catalog.loadTable(id);
  }
}
