package io.hfbeam.explorer;

/** An API answer other than 200: the status and one line for the page to show. */
final class ApiException extends RuntimeException {
  final int status;

  ApiException(int status, String message) {
    super(message);
    this.status = status;
  }
}
