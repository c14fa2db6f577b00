package dev.exprbert.optim;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.AdamWOptions;

/**
 * Writes {@code AdamWOptions::betas}, a {@code std::tuple<double, double>} that the Java API exposes
 * only as a raw DoublePointer. libstdc++ stores tuple elements in reverse order, so rather than
 * assume a layout we read LibTorch's defaults (0.9, 0.999) once and see where each one sits.
 */
final class TupleAccess {
  private static final boolean REVERSED = detectReversed();

  private TupleAccess() {}

  private static boolean detectReversed() {
    try (AdamWOptions defaults = new AdamWOptions()) {
      DoublePointer betas = defaults.betas();
      double first = betas.get(0);
      double second = betas.get(1);
      if (first == 0.9 && second == 0.999) {
        return false;
      }
      if (first == 0.999 && second == 0.9) {
        return true;
      }
      throw new IllegalStateException("cannot read AdamWOptions betas: expected LibTorch's defaults (0.9, 0.999) in"
          + " some order, found (" + first + ", " + second + ")");
    }
  }

  static void setBetas(DoublePointer betas, double beta1, double beta2) {
    betas.put(REVERSED ? 1 : 0, beta1);
    betas.put(REVERSED ? 0 : 1, beta2);
  }
}
