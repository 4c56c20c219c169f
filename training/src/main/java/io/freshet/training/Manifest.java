package io.freshet.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.freshet.store.iceberg.HistoryTables;
import io.freshet.store.iceberg.SnapshotPin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a training set was built from, enough to build it again row for row: the spine (path and
 * SHA-256), the options, and per view its ttl, spec version, history table and the Iceberg snapshot
 * read (time travel makes later appends invisible).
 *
 * @param format manifest format version
 * @param createdAt when the set was built (ISO-8601)
 * @param spine the spine file as given
 * @param spineSha256 SHA-256 of the spine file's bytes
 * @param spineRows rows in the spine (and in the output)
 * @param entityColumn the spine's entity column
 * @param timestampColumn the spine's timestamp column
 * @param inclusive history rows at the spine timestamp count (else strictly before)
 * @param asServed rows are placed by written_at (what serving held), else by valid_from
 * @param catalog Iceberg catalog name
 * @param namespace namespace of the history tables
 * @param views the views read
 * @param output the output file written
 * @param requestFeatures the request-time features computed after the join, in output order (null
 *     when none)
 * @param hiddenColumns joined columns left out of the output: stored inputs of request-time
 *     features that were not selected (null when none)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    int format,
    String createdAt,
    String spine,
    String spineSha256,
    long spineRows,
    String entityColumn,
    String timestampColumn,
    boolean inclusive,
    boolean asServed,
    String catalog,
    String namespace,
    List<ViewRead> views,
    String output,
    List<RequestRead> requestFeatures,
    List<String> hiddenColumns) {

  public static final int FORMAT = 1;

  /**
   * One request-time feature computed, and how.
   *
   * @param view its view
   * @param feature its name
   * @param expression its expression (CEL) as the spec gave it
   * @param type its value type
   * @param column its output column
   * @param inputTypes the type of each input it reads
   * @param inputColumns where each input was read: a joined feature's column or a spine column
   * @param failedRows rows where its evaluation failed (null, counted); null before it ran
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RequestRead(
      String view,
      String feature,
      String expression,
      String type,
      String column,
      Map<String, String> inputTypes,
      Map<String, String> inputColumns,
      Long failedRows) {

    RequestRead(
        String view,
        String feature,
        String expression,
        String type,
        String column,
        Map<String, String> inputTypes,
        Map<String, String> inputColumns) {
      this(view, feature, expression, type, column, inputTypes, inputColumns, null);
    }

    RequestRead withFailedRows(long rows) {
      return new RequestRead(
          view, feature, expression, type, column, inputTypes, inputColumns, rows);
    }
  }

  /**
   * One view read.
   *
   * @param view view name
   * @param table the history table (namespace.name)
   * @param snapshotId the Iceberg snapshot read, or null when the table had no data
   * @param specVersion the view's spec version
   * @param ttlMillis the ttl applied
   * @param features the features taken from this view, in output order
   * @param types their value types (LONG, DOUBLE, STRING, BOOLEAN)
   * @param columns their output column names
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ViewRead(
      String view,
      String table,
      Long snapshotId,
      String specVersion,
      long ttlMillis,
      List<String> features,
      List<String> types,
      List<String> columns) {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * The snapshots this training set read, one per view that had data: rebuilding it needs each of
   * them, so history maintenance keeps them (unless forced).
   *
   * @param pinnedBy how reports name this manifest (its path)
   */
  public List<SnapshotPin> snapshotPins(String pinnedBy) {
    List<SnapshotPin> pins = new ArrayList<>();
    for (ViewRead r : views) {
      if (r.snapshotId() != null) {
        pins.add(
            new SnapshotPin(
                HistoryTables.identifier(namespace, r.view()), r.snapshotId(), pinnedBy));
      }
    }
    return pins;
  }

  public void write(Path file) {
    try {
      JSON.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new TrainingSetException("cannot write manifest " + file + ": " + e.getMessage(), e);
    }
  }

  public static Manifest read(Path file) {
    try {
      Manifest m = JSON.readValue(file.toFile(), Manifest.class);
      if (m.format() != FORMAT) {
        throw new TrainingSetException(
            "manifest " + file + " has format " + m.format() + "; this Freshet reads " + FORMAT);
      }
      return m;
    } catch (IOException e) {
      throw new TrainingSetException("cannot read manifest " + file + ": " + e.getMessage(), e);
    }
  }
}
