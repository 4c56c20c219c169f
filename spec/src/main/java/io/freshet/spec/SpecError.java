package io.freshet.spec;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * One problem found in a spec file, located by line and column (both 1-based) and by the path of
 * the offending field, e.g. {@code views[0].features[2].window}. The message says what to fix.
 *
 * @param file the spec file, or null if the spec was not read from a file
 * @param line 1-based line of the offending YAML node
 * @param column 1-based column of the offending YAML node
 * @param fieldPath path of the field in the spec, empty for the whole document
 * @param message what is wrong and how to fix it
 */
public record SpecError(Path file, int line, int column, String fieldPath, String message) {

  /** Orders errors as they appear in the file. */
  public static final Comparator<SpecError> BY_POSITION =
      Comparator.comparingInt(SpecError::line).thenComparingInt(SpecError::column);

  /** One line, {@code file:line:column: fieldPath: message}, as compilers print errors. */
  public String format() {
    String where = (file == null ? "<spec>" : file.toString()) + ":" + line + ":" + column + ": ";
    return where + (fieldPath == null || fieldPath.isEmpty() ? "" : fieldPath + ": ") + message;
  }

  @Override
  public String toString() {
    return format();
  }
}
