package io.freshet.notebooks;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs SQL in a local SparkSession, as a notebook cell would:
 *
 * <pre>
 *   SparkSqlQuery [--conf key=value]... --sql STATEMENT [--sql STATEMENT]...
 * </pre>
 *
 * The settings are the SparkSession builder's ({@code spark.sql.catalog.freshet=...}); for each
 * statement it prints {@code # <statement>}, then one line per row, the columns separated by tabs
 * (null as {@code \N}), and exits 0; any failure exits 1 with its stack trace.
 */
public final class SparkSqlQuery {
  private SparkSqlQuery() {}

  public static void main(String[] args) throws Exception {
    List<String[]> conf = new ArrayList<>();
    List<String> statements = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--conf" -> {
          int eq = value == null ? -1 : value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--conf takes key=value, got " + value);
          }
          conf.add(new String[] {value.substring(0, eq), value.substring(eq + 1)});
          i++;
        }
        case "--sql" -> {
          if (value == null) {
            throw new IllegalArgumentException("--sql needs a statement");
          }
          statements.add(value);
          i++;
        }
        default ->
            throw new IllegalArgumentException(
                "unknown argument " + args[i] + "; usage: [--conf k=v]... --sql S [--sql S]...");
      }
    }
    SparkSession.Builder b =
        SparkSession.builder()
            .master("local[1]")
            .appName("freshet-notebook-check")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1");
    for (String[] kv : conf) {
      b.config(kv[0], kv[1]);
    }
    try (SparkSession spark = b.getOrCreate()) {
      for (String sql : statements) {
        System.out.println("# " + sql);
        for (Row row : spark.sql(sql).collectAsList()) {
          StringBuilder line = new StringBuilder();
          for (int c = 0; c < row.length(); c++) {
            if (c > 0) {
              line.append('\t');
            }
            line.append(row.isNullAt(c) ? "\\N" : String.valueOf(row.get(c)));
          }
          System.out.println(line);
        }
      }
    }
  }
}
