package io.freshet.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A training set with every decision made and nothing computed yet: what an {@link
 * TrainingSet.Engine} needs to write the rows. The spine has been checked (hash, row count); every
 * view is pinned to an Iceberg snapshot.
 *
 * @param spine the spine file
 * @param spineSha256 SHA-256 of the spine file's bytes
 * @param spineRows rows in the spine (and in the output)
 * @param entityColumn the spine's entity column
 * @param timestampColumn the spine's timestamp column
 * @param inclusive history rows at the spine timestamp count (else strictly before)
 * @param asServed history rows are placed by written_at, else by valid_from
 * @param catalogName Iceberg catalog name
 * @param catalogProperties the catalog's properties, for engines that open it again elsewhere; null
 *     when the builder was given only an open catalog
 * @param namespace namespace of the history tables
 * @param views per view: table, snapshot (null: no data), ttl, features, their types and output
 *     columns, in output order
 * @param spineSchema the spine's columns as an Avro record schema (what {@link Spine#schema()}
 *     gives)
 * @param outputSchema the output's Avro schema: the spine's columns, then one nullable column per
 *     feature in {@code views} order
 */
public record TrainingPlan(
    Path spine,
    String spineSha256,
    long spineRows,
    String entityColumn,
    String timestampColumn,
    boolean inclusive,
    boolean asServed,
    String catalogName,
    Map<String, String> catalogProperties,
    String namespace,
    List<Manifest.ViewRead> views,
    Schema spineSchema,
    Schema outputSchema) {

  /** Opens the spine with the plan's entity and timestamp columns (the caller closes it). */
  Spine openSpine() {
    return Spine.open(spine, entityColumn, timestampColumn);
  }

  /** Number of feature columns. */
  public int featureColumns() {
    int n = 0;
    for (Manifest.ViewRead v : views) {
      n += v.features().size();
    }
    return n;
  }

  /** Number of spine columns (the first fields of the output). */
  public int spineColumns() {
    return spineSchema.getFields().size();
  }

  /** Position among the feature columns of view {@code v}'s first feature. */
  public int firstFeatureColumn(int v) {
    int n = 0;
    for (int i = 0; i < v; i++) {
      n += views.get(i).features().size();
    }
    return n;
  }
}
