package io.hfbeam.llm;

/** Why a request was sent again; {@link Stats} counts retries by cause. */
public enum RetryCause {
  /** HTTP 429. */
  RATE_LIMITED,
  /** HTTP 5xx, 408 or 409. */
  SERVER_ERROR,
  /** No answer within the request timeout. */
  TIMEOUT,
  /** The connection was refused, reset or closed before an answer. */
  CONNECTION,
  /** HTTP 200 with a body that is not the JSON the protocol promises. */
  INVALID_RESPONSE,
  /** The server refused {@code response_format} (400 naming it): sent once more without it. */
  RESPONSE_FORMAT_REFUSED
}
