package io.freshet.bench;

import java.util.ArrayList;
import java.util.List;

/** One measured configuration: an engine on a state backend. */
enum Variant {
  FRESHET_HEAP("freshet-heap", false, Backend.HEAP),
  FRESHET_ROCKSDB("freshet-rocksdb", false, Backend.ROCKSDB),
  SQL_HEAP("sql-heap", true, Backend.HEAP),
  SQL_ROCKSDB("sql-rocksdb", true, Backend.ROCKSDB),
  /**
   * Profiling aid, not in the default list: Freshet's generated source alone (generate, decode,
   * watermark, count), to tell source cost from engine cost.
   */
  SOURCE_ONLY("source-only", false, Backend.HEAP);

  final String id;
  final boolean sql;
  final Backend backend;

  Variant(String id, boolean sql, Backend backend) {
    this.id = id;
    this.sql = sql;
    this.backend = backend;
  }

  /** The variants the benchmark runs by default: the four of issue 3. */
  static List<Variant> defaults() {
    return List.of(FRESHET_HEAP, FRESHET_ROCKSDB, SQL_HEAP, SQL_ROCKSDB);
  }

  /** Parses a comma-separated list such as {@code freshet-heap,sql-heap}. */
  static List<Variant> parseList(String list) {
    List<Variant> out = new ArrayList<>();
    for (String s : list.split(",")) {
      String id = s.trim();
      if (id.isEmpty()) {
        continue;
      }
      Variant found = null;
      for (Variant v : values()) {
        if (v.id.equals(id)) {
          found = v;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException(
            "--which: unknown variant "
                + id
                + "; choose from freshet-heap, freshet-rocksdb, sql-heap, sql-rocksdb, source-only");
      }
      if (!out.contains(found)) {
        out.add(found);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--which: name at least one variant");
    }
    return out;
  }
}
