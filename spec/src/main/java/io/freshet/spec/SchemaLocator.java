package io.freshet.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Avro schema a spec names in {@code schema:}. Looks, in order: relative to the spec
 * file's directory; in {@code avro-schemas/src/main/avro/} of any directory above the spec (the
 * checkout); and as the classpath resource {@code avro/<name>} (the avro-schemas jar). An absolute
 * path is looked up only as itself.
 */
final class SchemaLocator {
  /** Where the checkout keeps its schemas, relative to the checkout root. */
  static final Path CHECKOUT_SCHEMAS = Path.of("avro-schemas", "src", "main", "avro");

  /** Classpath folder of the schemas packaged by the avro-schemas jar. */
  static final String CLASSPATH_FOLDER = "avro/";

  /**
   * The outcome of a lookup.
   *
   * @param foundAt where the schema was found (a path or {@code classpath:avro/...}), or null
   * @param text the schema text, or null if not found
   * @param tried every place looked at, in order
   */
  record Lookup(String foundAt, String text, List<String> tried) {
    boolean found() {
      return foundAt != null;
    }
  }

  private SchemaLocator() {}

  /**
   * @param ref the {@code schema:} entry as written
   * @param specDir directory of the spec file (absolute), or null if the spec has no file
   */
  static Lookup find(String ref, Path specDir, ClassLoader loader) throws IOException {
    List<String> tried = new ArrayList<>();
    Path refPath;
    try {
      refPath = Path.of(ref);
    } catch (RuntimeException e) {
      tried.add(ref + " (not a valid path)");
      return new Lookup(null, null, tried);
    }
    if (refPath.isAbsolute()) {
      tried.add(refPath.toString());
      return Files.isRegularFile(refPath)
          ? new Lookup(refPath.toString(), Files.readString(refPath), tried)
          : new Lookup(null, null, tried);
    }
    Path dir = specDir == null ? Path.of("").toAbsolutePath() : specDir.toAbsolutePath();
    Path local = dir.resolve(refPath).normalize();
    tried.add(local.toString());
    if (Files.isRegularFile(local)) {
      return new Lookup(local.toString(), Files.readString(local), tried);
    }
    for (Path d = dir; d != null; d = d.getParent()) {
      Path schemas = d.resolve(CHECKOUT_SCHEMAS);
      if (Files.isDirectory(schemas)) {
        Path candidate = schemas.resolve(refPath).normalize();
        tried.add(candidate.toString());
        if (Files.isRegularFile(candidate)) {
          return new Lookup(candidate.toString(), Files.readString(candidate), tried);
        }
      }
    }
    if (tried.size() == 1) {
      tried.add("avro-schemas/src/main/avro/ of any directory above " + dir + " (none found)");
    }
    String resource = CLASSPATH_FOLDER + ref.replace('\\', '/');
    tried.add("classpath:" + resource);
    ClassLoader cl = loader != null ? loader : SchemaLocator.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(resource)) {
      if (in != null) {
        return new Lookup(
            "classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), tried);
      }
    }
    return new Lookup(null, null, tried);
  }
}
