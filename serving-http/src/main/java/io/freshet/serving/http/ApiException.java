package io.freshet.serving.http;

/**
 * A request the server refuses or cannot answer: an HTTP status, a stable error code a client can
 * branch on, and a message that says what to fix. Written as {@code {"error": code, "message":
 * message, "status": status}}.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** 400: the request is wrong; the message says how to fix it. */
  static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  /** 404: no such resource. */
  static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  /** 503: the online store cannot answer now; a retry may succeed. */
  static ApiException unavailable(String message) {
    return new ApiException(503, "unavailable", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
