package io.hfbeam.hub.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

/** Fault injection rules of a {@link LocalHubServer}; thread-safe, consulted once per request. */
public final class Faults {
  private final List<Rule> rules = new ArrayList<>();
  private int injected;

  /**
   * The next {@code n} requests whose path matches {@code pathRegex} (find, not full match) get
   * {@code fault}.
   */
  public synchronized Faults next(int n, String pathRegex, Fault fault) {
    rules.add(new Rule(Pattern.compile(pathRegex), n, 0, null, List.of(fault)));
    return this;
  }

  /**
   * Each matching request fails with probability {@code rate}, with a fault drawn from {@code
   * faults}; seeded so a failing test run can be replayed.
   */
  public synchronized Faults random(double rate, String pathRegex, long seed, Fault... faults) {
    rules.add(
        new Rule(
            Pattern.compile(pathRegex),
            Integer.MAX_VALUE,
            rate,
            new Random(seed),
            List.of(faults)));
    return this;
  }

  public synchronized void clear() {
    rules.clear();
  }

  /** How many faults were injected so far. */
  public synchronized int injected() {
    return injected;
  }

  synchronized Optional<Fault> pick(String path) {
    for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
      Rule rule = it.next();
      if (!rule.pattern.matcher(path).find()) continue;
      if (rule.random != null) {
        if (rule.random.nextDouble() >= rule.rate) continue;
        injected++;
        return Optional.of(rule.faults.get(rule.random.nextInt(rule.faults.size())));
      }
      if (--rule.remaining <= 0) it.remove();
      injected++;
      return Optional.of(rule.faults.get(0));
    }
    return Optional.empty();
  }

  private static final class Rule {
    final Pattern pattern;
    int remaining;
    final double rate;
    final Random random;
    final List<Fault> faults;

    Rule(Pattern pattern, int remaining, double rate, Random random, List<Fault> faults) {
      this.pattern = pattern;
      this.remaining = remaining;
      this.rate = rate;
      this.random = random;
      this.faults = faults;
    }
  }
}
