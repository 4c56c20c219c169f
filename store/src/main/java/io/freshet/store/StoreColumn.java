package io.freshet.store;

import java.util.Arrays;
import java.util.List;

/**
 * The columns every table of a view has besides its features, in the order they precede the
 * features: the Iceberg history table has all of them, the Cassandra online table all but {@link
 * #CORRECTION}. Feature names may not be any of these ({@link #NAMES}); spec validation refuses
 * them.
 *
 * <p>Times are epoch milliseconds: CQL {@code bigint} online, Iceberg {@code timestamptz} in the
 * history. Adding a constant here adds the column to both stores: the compiler points at every
 * switch that must say how it is stored.
 */
public enum StoreColumn {
  /** The entity's key (the source's entity field), as text; the online table's primary key. */
  ENTITY("entity"),
  /**
   * The event time from which the vector holds, until the entity's next update; never decreases.
   */
  VALID_FROM("valid_from"),
  /** The newest event time applied to the entity (late events included); {@link Expiry} uses it. */
  LAST_EVENT_TIME("last_event_time"),
  /** When the vector went online (processing time): the key of "as served" training sets. */
  WRITTEN_AT("written_at"),
  /** The version of the view's definition that computed the vector. */
  SPEC_VERSION("spec_version"),
  /** Whether a late event caused the update. History only: the online table does not have it. */
  CORRECTION("correction"),
  /** 0 for a new valid_from; each further update at the same valid_from counts up by one. */
  REVISION("revision"),
  /**
   * The features of the vector still warming up (added to saved state: null until their window has
   * passed), by name; null when none is. Added to tables made before it existed (nullable).
   */
  WARMING_UP("warming_up");

  /** Every fixed column, in table order. */
  public static final List<StoreColumn> ALL = List.of(values());

  /** The fixed columns of the Cassandra online table, in table order. */
  public static final List<StoreColumn> ONLINE =
      Arrays.stream(values()).filter(StoreColumn::online).toList();

  /** The names of every fixed column, in table order: names a feature cannot have. */
  public static final List<String> NAMES = ALL.stream().map(StoreColumn::column).toList();

  private final String column;

  StoreColumn(String column) {
    this.column = column;
  }

  /** The column's name, the same in both stores. */
  public String column() {
    return column;
  }

  /** Whether the Cassandra online table has the column. */
  public boolean online() {
    return this != CORRECTION;
  }

  /**
   * The column's CQL type in the online table.
   *
   * @throws IllegalStateException for {@link #CORRECTION}, which is not an online column
   */
  public String cqlType() {
    return switch (this) {
      case ENTITY, SPEC_VERSION -> "text";
      case VALID_FROM, LAST_EVENT_TIME, WRITTEN_AT -> "bigint";
      case REVISION -> "int";
      case WARMING_UP -> "frozen<list<text>>";
      case CORRECTION -> throw new IllegalStateException(column + " is not an online column");
    };
  }
}
