package io.freshet.spec;

import java.util.List;

/** A spec failed to parse or validate; carries every error found, in file order. */
public final class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<SpecError> errors;

  public SpecException(List<SpecError> errors) {
    super(SpecErrors.summary(errors) + "\n" + SpecErrors.format(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a SpecException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  /** All errors found, in file order; never empty. */
  public List<SpecError> errors() {
    return errors;
  }
}
