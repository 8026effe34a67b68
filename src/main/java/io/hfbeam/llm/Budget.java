package io.hfbeam.llm;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A run's token and cost limit, checked BEFORE each request: {@link #tryReserve} sets the request's
 * worst case aside (prompt characters / 4 + max_tokens) and says no when that would pass a limit,
 * so a run stops cleanly with nothing half-paid; {@link #settle} then replaces the estimate with
 * the answer's real usage ({@link #release} when nothing was paid). Thread-safe.
 */
public final class Budget {
  /** The completion estimate for a request without max_tokens. */
  public static final int DEFAULT_COMPLETION_ESTIMATE = 4096;

  private final long maxTokens;
  private final double maxCostUsd;
  private final Prices prices;
  private long spentTokens;
  private double spentCost;
  private long reservedTokens;
  private double reservedCost;
  private boolean costUnknown;

  /**
   * @param maxTokens the most prompt + completion tokens, or 0 for no limit
   * @param maxCostUsd the most USD, or 0 for no limit (needs every model's price)
   * @param prices the per-model prices that turn tokens into USD
   */
  public Budget(long maxTokens, double maxCostUsd, Prices prices) {
    if (maxTokens < 0 || maxCostUsd < 0 || !Double.isFinite(maxCostUsd)) {
      throw new IllegalArgumentException("budget limits must be 0 (none) or positive");
    }
    this.maxTokens = maxTokens == 0 ? Long.MAX_VALUE : maxTokens;
    this.maxCostUsd = maxCostUsd == 0 ? Double.POSITIVE_INFINITY : maxCostUsd;
    this.prices = prices;
  }

  public static Budget unlimited(Prices prices) {
    return new Budget(0, 0, prices);
  }

  /** Throws with one line when a cost limit is set and {@code model} has no price. */
  public void checkPriced(String model) {
    if (Double.isFinite(maxCostUsd) && prices.price(model).isEmpty()) {
      throw new IllegalArgumentException(
          "model '"
              + model
              + "' has no price in the prices file, so a cost limit cannot be enforced; add its"
              + " price or drop the cost limit");
    }
  }

  /** Reserves the worst case of {@code request}; empty when it could pass a limit. */
  public Optional<Reservation> tryReserve(ChatRequest request) {
    long promptChars = request.messages().stream().mapToLong(m -> m.content().length()).sum();
    long completion =
        request.maxTokens() == null ? DEFAULT_COMPLETION_ESTIMATE : request.maxTokens();
    return tryReserve(request.model(), (promptChars + 3) / 4, completion);
  }

  /** Reserves an estimate; empty when it could pass a limit. */
  public synchronized Optional<Reservation> tryReserve(
      String model, long promptTokens, long completionTokens) {
    checkPriced(model);
    long tokens = promptTokens + completionTokens;
    double cost = prices.cost(model, promptTokens, completionTokens).orElse(0);
    if (spentTokens + reservedTokens + tokens > maxTokens
        || spentCost + reservedCost + cost > maxCostUsd) {
      return Optional.empty();
    }
    reservedTokens += tokens;
    reservedCost += cost;
    return Optional.of(new Reservation(model, tokens, cost));
  }

  /** Replaces a reservation with what the answer really used. */
  public synchronized void settle(
      Reservation reservation, long promptTokens, long completionTokens) {
    free(reservation);
    spentTokens += promptTokens + completionTokens;
    OptionalDouble cost = prices.cost(reservation.model, promptTokens, completionTokens);
    if (cost.isPresent()) {
      spentCost += cost.getAsDouble();
    } else {
      costUnknown = true;
    }
  }

  /** Gives a reservation back: the request was not paid for (refused, failed before an answer). */
  public synchronized void release(Reservation reservation) {
    free(reservation);
  }

  private void free(Reservation reservation) {
    if (reservation.done) {
      throw new IllegalStateException("reservation already settled or released");
    }
    reservation.done = true;
    reservedTokens -= reservation.tokens;
    reservedCost -= reservation.cost;
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(
        spentTokens,
        costUnknown ? OptionalDouble.empty() : OptionalDouble.of(spentCost),
        reservedTokens,
        maxTokens == Long.MAX_VALUE ? 0 : maxTokens,
        Double.isInfinite(maxCostUsd) ? 0 : maxCostUsd);
  }

  /**
   * What was spent.
   *
   * @param tokens prompt + completion tokens settled
   * @param costUsd their cost, empty when some model's price was unknown
   * @param reservedTokens tokens set aside for requests in flight
   * @param maxTokens the token limit, 0 for none
   * @param maxCostUsd the cost limit, 0 for none
   */
  public record Snapshot(
      long tokens,
      OptionalDouble costUsd,
      long reservedTokens,
      long maxTokens,
      double maxCostUsd) {}

  /** One request's share of the budget until it is settled or released. */
  public static final class Reservation {
    private final String model;
    private final long tokens;
    private final double cost;
    private boolean done; // guarded by the budget's lock

    private Reservation(String model, long tokens, double cost) {
      this.model = model;
      this.tokens = tokens;
      this.cost = cost;
    }

    public long tokens() {
      return tokens;
    }

    public double costUsd() {
      return cost;
    }
  }
}
