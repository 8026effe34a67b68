package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetTest {
  private static final Prices PRICES =
      Prices.parse("as_of: 2025-01-01\nmodels:\n  m: {input: 1.0, output: 4.0}\n");

  private static ChatRequest request(String model, int promptChars, Integer maxTokens) {
    return new ChatRequest(
        model, List.of(ChatMessage.user("x".repeat(promptChars))), null, maxTokens, null, null);
  }

  @Test
  void theEstimateIsPromptCharsOverFourPlusMaxTokens() {
    Budget budget = Budget.unlimited(PRICES);
    assertEquals(100 + 50, budget.tryReserve(request("m", 400, 50)).get().tokens());
    assertEquals(
        1 + Budget.DEFAULT_COMPLETION_ESTIMATE,
        budget.tryReserve(request("m", 3, null)).get().tokens());
  }

  @Test
  void aTokenLimitStopsBeforeARequestWouldPassIt() {
    Budget budget = new Budget(1000, 0, PRICES);
    Budget.Reservation first = budget.tryReserve(request("m", 1600, 200)).get(); // 600
    assertEquals(Optional.empty(), budget.tryReserve(request("m", 1600, 200)), "600 + 600 > 1000");

    budget.settle(first, 300, 100); // really 400
    Budget.Reservation second = budget.tryReserve(request("m", 1600, 200)).get(); // 400 + 600
    assertEquals(600, budget.snapshot().reservedTokens());
    budget.release(second); // not paid
    assertEquals(0, budget.snapshot().reservedTokens());
    assertEquals(400, budget.snapshot().tokens());
    assertThrows(IllegalStateException.class, () -> budget.release(second));
  }

  @Test
  void aCostLimitCountsInputAndOutputPrices() {
    // 1M prompt tokens at $1 + 1M completion at $4 = $5 per estimate.
    Budget budget = new Budget(0, 9.0, PRICES);
    Budget.Reservation first = budget.tryReserve("m", 1_000_000, 1_000_000).get();
    assertEquals(5.0, first.costUsd(), 1e-9);
    assertTrue(budget.tryReserve("m", 1_000_000, 1_000_000).isEmpty(), "$10 > $9");
    budget.settle(first, 1_000_000, 0);
    assertEquals(1.0, budget.snapshot().costUsd().getAsDouble(), 1e-9);
    assertTrue(budget.tryReserve("m", 1_000_000, 1_000_000).isPresent(), "$1 + $5 <= $9");
  }

  @Test
  void aCostLimitWithAnUnpricedModelIsRefusedAndAnUnpricedRunHasAnUnknownCost() {
    Budget limited = new Budget(0, 1.0, PRICES);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> limited.checkPriced("other"));
    assertTrue(e.getMessage().contains("'other' has no price"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> limited.tryReserve(request("other", 4, 1)));

    Budget tokensOnly = new Budget(10_000, 0, PRICES);
    Budget.Reservation reservation = tokensOnly.tryReserve(request("other", 4, 1)).get();
    tokensOnly.settle(reservation, 1, 1);
    assertFalse(tokensOnly.snapshot().costUsd().isPresent(), "cost unknown, said so");
    assertEquals(2, tokensOnly.snapshot().tokens());
  }

  @Test
  void limitsMustNotBeNegative() {
    assertThrows(IllegalArgumentException.class, () -> new Budget(-1, 0, PRICES));
    assertThrows(IllegalArgumentException.class, () -> new Budget(0, -1, PRICES));
  }
}
