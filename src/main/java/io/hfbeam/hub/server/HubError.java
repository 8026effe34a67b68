package io.hfbeam.hub.server;

/**
 * An error answer of the local Hub: status, the {@code X-Error-Code} the clients key on, and a
 * message.
 */
class HubError extends RuntimeException {
  final int status;
  final String errorCode;
  private final java.util.Map<String, Object> extra;

  HubError(int status, String errorCode, String message) {
    this(status, errorCode, message, java.util.Map.of());
  }

  /** {@code extra} fields go into the JSON body next to "error". */
  HubError(int status, String errorCode, String message, java.util.Map<String, Object> extra) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.extra = extra;
  }

  /** The JSON body the clients read the message from. */
  Object body() {
    java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
    body.put("error", getMessage());
    return body;
  }

  static HubError badRequest(String message) {
    return new HubError(400, null, message);
  }

  static HubError repoNotFound() {
    return new HubError(404, "RepoNotFound", "Repository not found");
  }

  static HubError revisionNotFound(String rev) {
    return new HubError(404, "RevisionNotFound", "Invalid rev id: " + rev);
  }

  static HubError entryNotFound(String path) {
    return new HubError(404, "EntryNotFound", "Entry not found: " + path);
  }
}
