package io.hfbeam.chess;

/**
 * The murmur3 64-bit finaliser: a cheap bijective mix, used to derive independent random draws from
 * keys.
 */
final class Mix {
  private Mix() {}

  static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** A uniform double in [0, 1) from 53 bits of the mixed key. */
  static double unit(long key) {
    return (mix64(key) >>> 11) * 0x1.0p-53;
  }
}
