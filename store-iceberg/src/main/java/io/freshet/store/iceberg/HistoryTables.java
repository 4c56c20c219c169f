package io.freshet.store.iceberg;

import io.freshet.spec.FeatureDef;
import io.freshet.spec.SourceSpec;
import io.freshet.spec.ValueType;
import io.freshet.spec.ViewSpec;
import io.freshet.store.StoreColumn;
import io.freshet.store.StoreNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The history table of a view: its layout and how it follows the spec.
 *
 * <p>One table per view, named after the view ({@link StoreNames#table}), in the configured
 * namespace. Columns: the {@link StoreColumn}s in their order ({@code entity}, {@code valid_from},
 * {@code last_event_time}, {@code written_at} (timestamps with time zone, microsecond precision,
 * holding epoch milliseconds), {@code spec_version}, {@code correction}, {@code revision}), then
 * one nullable typed column per feature (bigint, double, string, boolean). Partitioned by {@code
 * day(valid_from)}; the table's sort order is {@code (entity, valid_from)}.
 *
 * <p>Schema evolution: a feature added to the view becomes a new nullable column (older rows read
 * null). A feature removed from the view keeps its column, with the history written so far; rows
 * written from then on hold null in it (the sink maps a column the spec no longer has to null).
 * Changing a feature's type is refused: a column holds one definition's values, so a changed
 * feature needs a new name (or a new view).
 */
public final class HistoryTables {
  private HistoryTables() {}

  /**
   * The feature columns of a history table that the view no longer has, in table order: their rows
   * written from now on hold null.
   */
  public static List<String> removedFeatures(Schema schema, ViewSpec view) {
    List<String> removed = new ArrayList<>();
    for (Types.NestedField col : schema.columns()) {
      if (!StoreColumn.NAMES.contains(col.name()) && view.indexOf(col.name()) < 0) {
        removed.add(col.name());
      }
    }
    return removed;
  }

  /** Table properties recording the definition that wrote the newest rows. */
  public static final String PROP_SPEC_VERSION = "freshet.spec-version";

  public static final String PROP_TTL_MS = "freshet.ttl-ms";
  public static final String PROP_SOURCE = "freshet.source";

  /**
   * Prefix of the table properties that record each feature's definition ({@link
   * FeatureDef#definition}), as the job that wrote its column defined it: a training set refuses a
   * feature whose spec defines it otherwise.
   */
  public static final String PROP_FEATURE_DEFINITION_PREFIX = "freshet.feature-definition.";

  /** The property recording feature {@code name}'s definition. */
  public static String definitionProperty(String name) {
    return PROP_FEATURE_DEFINITION_PREFIX + name;
  }

  /**
   * The online store's hold, in milliseconds, of the job that last wrote the table: updates whose
   * valid_from was older than this at their written_at went online only at the job's next
   * checkpoint (and not at all if a newer update of the entity came before it). As-served training
   * sets flag the rows it held. Absent: tables of jobs before it was recorded (they held for 1
   * minute unless configured otherwise).
   */
  public static final String PROP_ONLINE_HOLD_MS = "freshet.online-hold-ms";

  /** Records the online store's hold ({@link #PROP_ONLINE_HOLD_MS}), committing only a change. */
  public static void recordOnlineHold(Table table, long millis) {
    String value = Long.toString(millis);
    if (!value.equals(table.properties().get(PROP_ONLINE_HOLD_MS))) {
      table.updateProperties().set(PROP_ONLINE_HOLD_MS, value).commit();
    }
  }

  /**
   * Prefix of the table properties that record, per spec version that wrote to the table, the
   * features it computed (comma-separated): a training set tells a row written before a feature was
   * added (its spec version lacks the feature) from a row where the feature's value is null.
   */
  public static final String PROP_VERSION_FEATURES_PREFIX = "freshet.spec-version-features.";

  /** The property recording the features of spec version {@code version}. */
  public static String versionFeaturesProperty(String version) {
    return PROP_VERSION_FEATURES_PREFIX + version;
  }

  /** The value of {@link #versionFeaturesProperty}: the view's feature names, comma-separated. */
  private static String featureList(ViewSpec view) {
    return String.join(",", view.features().stream().map(FeatureDef::name).toList());
  }

  /**
   * Parquet writer settings of history tables, set when a table is created and added to an existing
   * table that does not set them (a value the table already has is kept). Dictionary encoding is
   * off ({@code parquet.enable.dictionary}, which Iceberg's Parquet writer reads from the table's
   * properties): feature values and timestamps are nearly all distinct, so the dictionary writers
   * hashed every value only to fall back to plain pages; in profiles of the demo's job that hashing
   * was about a sixth of the features task. zstd compresses the plain pages.
   */
  public static final Map<String, String> WRITE_PROPERTIES =
      Map.of("parquet.enable.dictionary", "false");

  public static TableIdentifier identifier(String namespace, String view) {
    return TableIdentifier.of(Namespace.of(namespace), StoreNames.table(view));
  }

  /** The Iceberg type of a feature value type. */
  public static Type icebergType(ValueType t) {
    return switch (t) {
      case LONG -> Types.LongType.get();
      case DOUBLE -> Types.DoubleType.get();
      case STRING -> Types.StringType.get();
      case BOOLEAN -> Types.BooleanType.get();
    };
  }

  /** The schema of a view's history table as the spec defines it now. */
  public static Schema schema(ViewSpec view) {
    List<Types.NestedField> cols = new ArrayList<>();
    int id = 1;
    // ids of nested fields (the warming_up list's element) come after every column's
    int nested = StoreColumn.ALL.size() + view.features().size() + 1;
    for (StoreColumn c : StoreColumn.ALL) {
      cols.add(field(id++, c, nested));
    }
    for (FeatureDef f : view.features()) {
      checkName(view, f.name());
      cols.add(Types.NestedField.optional(id++, f.name(), icebergType(f.outputType())));
    }
    return new Schema(cols);
  }

  /** The type of the warming_up column: a list of feature names. */
  private static Type warmingUpType(int elementId) {
    return Types.ListType.ofRequired(elementId, Types.StringType.get());
  }

  private static final String WARMING_UP_DOC =
      "features still warming up (added to saved state): null in this row until their window has"
          + " passed; null when none";

  /**
   * A fixed column's field: required (warming_up, added later, is optional), with the doc tables
   * created so far carry.
   */
  private static Types.NestedField field(int id, StoreColumn c, int elementId) {
    Type timestamp = Types.TimestampType.withZone();
    return switch (c) {
      case ENTITY, SPEC_VERSION ->
          Types.NestedField.required(id, c.column(), Types.StringType.get());
      case VALID_FROM ->
          Types.NestedField.required(id, c.column(), timestamp, "event time the vector holds from");
      case LAST_EVENT_TIME ->
          Types.NestedField.required(
              id, c.column(), timestamp, "newest event applied; ttl is measured from it");
      case WRITTEN_AT ->
          Types.NestedField.required(id, c.column(), timestamp, "when the vector went online");
      case CORRECTION -> Types.NestedField.required(id, c.column(), Types.BooleanType.get());
      case REVISION ->
          Types.NestedField.required(
              id, c.column(), Types.IntegerType.get(), "corrections of one valid_from count up");
      case WARMING_UP ->
          Types.NestedField.optional(id, c.column(), warmingUpType(elementId), WARMING_UP_DOC);
    };
  }

  private static void checkName(ViewSpec view, String feature) {
    if (StoreColumn.NAMES.contains(feature)) {
      throw new IllegalArgumentException(
          "feature '"
              + feature
              + "' of view '"
              + view.name()
              + "' has the name of a history column; rename the feature (reserved: "
              + StoreColumn.NAMES
              + ")");
    }
  }

  public static PartitionSpec partitionSpec(Schema schema) {
    return PartitionSpec.builderFor(schema).day(StoreColumn.VALID_FROM.column()).build();
  }

  public static SortOrder sortOrder(Schema schema) {
    return SortOrder.builderFor(schema)
        .asc(StoreColumn.ENTITY.column(), NullOrder.NULLS_FIRST)
        .asc(StoreColumn.VALID_FROM.column(), NullOrder.NULLS_FIRST)
        .build();
  }

  /**
   * Creates the view's table, or brings an existing one up to the spec: adds new features as
   * columns, keeps the columns of removed ones, and refuses retyped ones.
   *
   * @throws IllegalStateException when the spec retypes a stored feature
   */
  public static Table ensure(Catalog catalog, String namespace, SourceSpec source, ViewSpec view) {
    TableIdentifier id = identifier(namespace, view.name());
    Schema wanted = schema(view);
    ensureNamespace(catalog, id.namespace());
    Table table;
    if (!catalog.tableExists(id)) {
      Map<String, String> props = new HashMap<>();
      props.put(TableProperties.FORMAT_VERSION, "2");
      props.put(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
      props.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
      props.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");
      props.put(PROP_SPEC_VERSION, view.version(source));
      props.put(PROP_TTL_MS, Long.toString(view.ttl().toMillis()));
      props.put(PROP_SOURCE, source.name());
      for (FeatureDef f : view.features()) {
        props.put(definitionProperty(f.name()), f.definition());
      }
      props.put(versionFeaturesProperty(view.version(source)), featureList(view));
      props.putAll(WRITE_PROPERTIES);
      try {
        return catalog
            .buildTable(id, wanted)
            .withPartitionSpec(partitionSpec(wanted))
            .withSortOrder(sortOrder(wanted))
            .withProperties(props)
            .create();
      } catch (AlreadyExistsException raced) {
        // created concurrently: evolve it like an existing table
      }
    }
    table = catalog.loadTable(id);
    evolve(table, source, view);
    return table;
  }

  /** Creates the namespace if the catalog has namespaces and not this one. */
  static void ensureNamespace(Catalog catalog, Namespace namespace) {
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace)) {
      try {
        ns.createNamespace(namespace);
      } catch (AlreadyExistsException raced) {
        // another sink created it
      }
    }
  }

  private static String lastFixedBefore(StoreColumn c) {
    return StoreColumn.ALL.get(StoreColumn.ALL.indexOf(c) - 1).column();
  }

  /**
   * Adds the view's new features to the table, and the {@link #WRITE_PROPERTIES} it does not set;
   * keeps the columns of removed features (see {@link #removedFeatures}); refuses retyped features.
   */
  public static void evolve(Table table, SourceSpec source, ViewSpec view) {
    Schema current = table.schema();
    List<String> problems = new ArrayList<>();
    List<FeatureDef> added = new ArrayList<>();
    for (FeatureDef f : view.features()) {
      checkName(view, f.name());
      Types.NestedField col = current.findField(f.name());
      Type want = icebergType(f.outputType());
      if (col == null) {
        added.add(f);
      } else if (!col.type().equals(want)) {
        problems.add(
            "feature '"
                + f.name()
                + "' is "
                + f.outputType()
                + " in the spec but "
                + col.type()
                + " in the history table");
      } else {
        String written = table.properties().get(definitionProperty(f.name()));
        if (written != null && !written.equals(f.definition())) {
          problems.add(
              "feature '"
                  + f.name()
                  + "' is defined as "
                  + f.definition()
                  + " in the spec but its history was written as "
                  + written);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "view '"
              + view.name()
              + "' cannot write to its history table "
              + table.name()
              + ": "
              + String.join("; ", problems)
              + ". A view's history keeps one definition of each feature: give the changed feature"
              + " a new name, or declare a new view.");
    }
    boolean noWarmingUp = current.findField(StoreColumn.WARMING_UP.column()) == null;
    if (!added.isEmpty() || noWarmingUp) {
      UpdateSchema update = table.updateSchema();
      if (noWarmingUp) {
        // a table made before the column: it goes with the fixed columns, before the features
        // (rows are laid out fixed columns first); the element id is assigned by Iceberg
        update.addColumn(StoreColumn.WARMING_UP.column(), warmingUpType(0), WARMING_UP_DOC);
        update.moveAfter(StoreColumn.WARMING_UP.column(), lastFixedBefore(StoreColumn.WARMING_UP));
      }
      for (FeatureDef f : added) {
        update.addColumn(f.name(), icebergType(f.outputType()));
      }
      update.commit();
    }
    String version = view.version(source);
    String ttl = Long.toString(view.ttl().toMillis());
    Map<String, String> stored = table.properties();
    boolean missingWriteProperty =
        WRITE_PROPERTIES.keySet().stream().anyMatch(k -> !stored.containsKey(k));
    boolean missingDefinition =
        view.features().stream().anyMatch(f -> !stored.containsKey(definitionProperty(f.name())));
    if (!version.equals(stored.get(PROP_SPEC_VERSION))
        || !ttl.equals(stored.get(PROP_TTL_MS))
        || !stored.containsKey(versionFeaturesProperty(version))
        || missingWriteProperty
        || missingDefinition) {
      UpdateProperties props = table.updateProperties();
      props.set(PROP_SPEC_VERSION, version).set(PROP_TTL_MS, ttl).set(PROP_SOURCE, source.name());
      props.set(versionFeaturesProperty(version), featureList(view));
      for (FeatureDef f : view.features()) {
        props.set(definitionProperty(f.name()), f.definition());
      }
      WRITE_PROPERTIES.forEach(
          (k, v) -> {
            if (!stored.containsKey(k)) {
              props.set(k, v);
            }
          });
      props.commit();
    }
  }
}
