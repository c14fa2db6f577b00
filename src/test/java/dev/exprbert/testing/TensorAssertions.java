package dev.exprbert.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.exprbert.runtime.Tensors;
import java.util.Arrays;

/**
 * Tensor comparisons with tolerances that mean something (an absolute term plus |ref| times the dtype epsilon): on failure they print the
 * largest error, where it occurred and the first few mismatching pairs.
 */
public final class TensorAssertions {
  private TensorAssertions() {}

  /** Max |actual - expected| over all elements (shapes must agree). */
  public static double maxAbsDiff(float[] actual, float[] expected) {
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
    }
    return max;
  }

  public static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  /** Every |a - e| <= tolerance; returns the max error found. */
  public static double assertClose(String what, org.bytedeco.pytorch.Tensor actual, org.bytedeco.pytorch.Tensor expected,
      double tolerance) {
    if (!Arrays.equals(Tensors.shape(actual), Tensors.shape(expected))) {
      fail(what + ": shape " + Tensors.shapeString(actual) + " but expected " + Tensors.shapeString(expected));
    }
    return assertClose(what, Tensors.toFloatArray(actual), Tensors.toFloatArray(expected), tolerance);
  }

  public static double assertClose(String what, float[] actual, float[] expected, double tolerance) {
    if (actual.length != expected.length) {
      fail(what + ": " + actual.length + " values but expected " + expected.length);
    }
    double max = -1;
    int worst = -1;
    StringBuilder first = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs((double) actual[i] - expected[i]);
      if (Double.isNaN(d)) {
        d = Double.POSITIVE_INFINITY;
      }
      if (d > max) {
        max = d;
        worst = i;
      }
      if (d > tolerance && bad++ < 5) {
        first.append(String.format("%n  [%d] actual %.8g expected %.8g (|diff| %.3g)", i, actual[i], expected[i], d));
      }
    }
    if (bad > 0) {
      fail(String.format("%s: %d of %d values differ by more than %.3g; max |diff| %.3g at flat index %d%s",
          what, bad, actual.length, tolerance, max, worst, first));
    }
    return Math.max(max, 0);
  }
}
