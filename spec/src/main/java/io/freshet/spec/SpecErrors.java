package io.freshet.spec;

import java.util.List;
import java.util.stream.Collectors;

/** Printing of spec errors, for the CLI and exception messages. */
public final class SpecErrors {
  private SpecErrors() {}

  /** One line per error, {@code file:line:column: fieldPath: message}, in the given order. */
  public static String format(List<SpecError> errors) {
    return errors.stream().map(SpecError::format).collect(Collectors.joining("\n"));
  }

  /** A one-line headline such as {@code payments.yaml: 3 errors}. */
  public static String summary(List<SpecError> errors) {
    String file =
        errors.isEmpty() || errors.get(0).file() == null ? "spec" : errors.get(0).file().toString();
    int n = errors.size();
    return file + ": " + (n == 0 ? "no errors" : n == 1 ? "1 error" : n + " errors");
  }
}
