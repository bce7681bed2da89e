package dev.larder.benchmarks;

import java.util.Random;

/** Pre-generated, scrambled Zipf-distributed key indexes, so the benchmarks do not measure a RNG. */
final class Zipf {

  private Zipf() {
  }

  /** {@link #samples}, boxed once here so that the measured loops do not box. */
  static Integer[] boxedSamples(int items, double exponent, int samples, long seed) {
    int[] raw = samples(items, exponent, samples, seed);
    Integer[] boxed = new Integer[raw.length];
    for (int i = 0; i < raw.length; i++) {
      boxed[i] = raw[i];
    }
    return boxed;
  }

  /**
   * {@code samples} indexes in {@code [0, items)}, rank {@code r} drawn with probability proportional
   * to {@code 1 / r^exponent}, ranks mapped to indexes by a random permutation (hot keys not adjacent).
   */
  static int[] samples(int items, double exponent, int samples, long seed) {
    double[] cumulative = new double[items];
    double sum = 0;
    for (int rank = 0; rank < items; rank++) {
      sum += 1.0 / Math.pow(rank + 1, exponent);
      cumulative[rank] = sum;
    }
    Random random = new Random(seed);
    int[] permutation = new int[items];
    for (int i = 0; i < items; i++) {
      permutation[i] = i;
    }
    for (int i = items - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = permutation[i];
      permutation[i] = permutation[j];
      permutation[j] = swap;
    }
    int[] out = new int[samples];
    for (int i = 0; i < samples; i++) {
      double u = random.nextDouble() * sum;
      int low = 0;
      int high = items - 1;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (cumulative[mid] < u) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      out[i] = permutation[low];
    }
    return out;
  }
}
