package io.freshet.training;

/** A training set cannot be built as asked; the message says what to fix. */
public class TrainingSetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingSetException(String message) {
    super(message);
  }

  public TrainingSetException(String message, Throwable cause) {
    super(message, cause);
  }
}
