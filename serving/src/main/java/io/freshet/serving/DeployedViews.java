package io.freshet.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.type.reflect.GenericType;
import io.freshet.spec.ValueType;
import io.freshet.store.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Feature discovery from what is deployed: the views the feature jobs registered in a keyspace's
 * {@code freshet_views} table, with their features' types, definitions (aggregation, field, window,
 * tile, parameters) and the description, owner and tags the spec gave them. Tables made before the
 * discovery columns existed read without them (null, empty).
 */
public final class DeployedViews {
  /** A feature as deployed. */
  public record Feature(
      String name,
      ValueType type,
      String definition,
      String description,
      String owner,
      List<String> tags) {}

  /** A view as deployed. */
  public record View(
      String name,
      String source,
      Duration ttl,
      String specVersion,
      Instant updatedAt,
      String description,
      String owner,
      List<String> tags,
      List<Feature> features,
      Map<String, ValueType> requestFields) {}

  private static final GenericType<Map<String, String>> TEXT_MAP =
      GenericType.mapOf(String.class, String.class);
  private static final GenericType<Map<String, List<String>>> TAGS_MAP =
      GenericType.mapOf(GenericType.STRING, GenericType.listOf(String.class));

  private DeployedViews() {}

  /** Every view of the keyspace, by name. */
  public static List<View> list(CqlSession session, String keyspace) {
    List<View> views = new ArrayList<>();
    for (Row r :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT * FROM \"" + keyspace + "\"." + StoreNames.VIEWS_TABLE))) {
      views.add(view(r));
    }
    views.sort(java.util.Comparator.comparing(View::name));
    return views;
  }

  /** One view, if the keyspace has it. */
  public static Optional<View> describe(CqlSession session, String keyspace, String view) {
    Row r =
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT * FROM \""
                        + keyspace
                        + "\"."
                        + StoreNames.VIEWS_TABLE
                        + " WHERE view_name = ?",
                    view))
            .one();
    return r == null ? Optional.empty() : Optional.of(view(r));
  }

  private static View view(Row r) {
    ColumnDefinitions cols = r.getColumnDefinitions();
    ViewMetadata meta = metadata(r);
    List<String> names = meta.features();
    Map<String, String> definitions = map(r, cols, "definitions");
    Map<String, String> descriptions = map(r, cols, "feature_descriptions");
    Map<String, String> owners = map(r, cols, "feature_owners");
    Map<String, List<String>> tags =
        cols.contains("feature_tags") && !r.isNull("feature_tags")
            ? r.get("feature_tags", TAGS_MAP)
            : Map.of();
    List<Feature> features = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String f = names.get(i);
      features.add(
          new Feature(
              f,
              meta.types().get(i),
              definitions.get(f),
              descriptions.get(f),
              owners.get(f),
              tags.getOrDefault(f, List.of())));
    }
    // request-time features follow the stored ones, their definition the expression
    for (io.freshet.spec.RequestFeature q : meta.requestFeatures()) {
      String f = q.name();
      features.add(
          new Feature(
              f,
              q.type(),
              "request: " + q.expression().text(),
              descriptions.get(f),
              owners.get(f),
              tags.getOrDefault(f, List.of())));
    }
    return new View(
        r.getString("view_name"),
        r.getString("source"),
        meta.ttl(),
        meta.specVersion(),
        r.getInstant("updated_at"),
        text(r, cols, "description"),
        text(r, cols, "owner"),
        cols.contains("tags") && !r.isNull("tags") ? r.getList("tags", String.class) : List.of(),
        features,
        meta.requestFields());
  }

  /**
   * A {@code freshet_views} row as the client reads a view: the stored features with their types,
   * the ttl, the spec version, and the request-time features compiled again from their expressions.
   * Columns added after a table was made (the request-time ones) read as empty when absent.
   */
  static ViewMetadata metadata(Row r) {
    ColumnDefinitions cols = r.getColumnDefinitions();
    Map<String, ValueType> requestFields = new LinkedHashMap<>();
    map(r, cols, "request_fields").forEach((n, t) -> requestFields.put(n, ViewMetadata.fromCql(t)));
    return ViewMetadata.deployed(
        r.getString("view_name"),
        r.getList("features", String.class),
        r.getList("types", String.class).stream().map(ViewMetadata::fromCql).toList(),
        Duration.ofMillis(r.getLong("ttl_ms")),
        r.getString("spec_version"),
        requestFields,
        list(r, cols, "request_features"),
        list(r, cols, "request_expressions"));
  }

  private static List<String> list(Row r, ColumnDefinitions cols, String column) {
    return cols.contains(column) && !r.isNull(column) ? r.getList(column, String.class) : List.of();
  }

  private static String text(Row r, ColumnDefinitions cols, String column) {
    return cols.contains(column) ? r.getString(column) : null;
  }

  private static Map<String, String> map(Row r, ColumnDefinitions cols, String column) {
    return cols.contains(column) && !r.isNull(column) ? r.get(column, TEXT_MAP) : Map.of();
  }
}
