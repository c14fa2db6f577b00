package dev.exprbert.metrics;

import dev.exprbert.runtime.CodePointOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Python/numpy behaviours the report depends on: rounding, sort order, summation order. */
class PythonCompatibilityTest {
  /* '{:.2f}'.format(x) rounds the exact binary value, ties to even (checked with CPython 3):
   * 0.125 is exact, a tie -> "0.12"; 0.375 -> "0.38"; 2.675 is stored as 2.67499999... -> "2.67";
   * 0.345 is 0.34499999... -> "0.34"; 0.675 is 0.67500000000000004... -> "0.68";
   * '{:.0f}': 0.5 -> "0", 1.5 -> "2", 2.5 -> "2". Java 17's String.format("%.2f") gives 0.13,
   * 2.68 and 0.35 for the first, third and fourth. */
  @Test
  void fixedPointRoundingMatchesPython() {
    assertEquals("0.12", PyFormat.fixed(0.125, 2));
    assertEquals("0.38", PyFormat.fixed(0.375, 2));
    assertEquals("2.67", PyFormat.fixed(2.675, 2));
    assertEquals("0.34", PyFormat.fixed(0.345, 2));
    assertEquals("0.68", PyFormat.fixed(0.675, 2));
    assertEquals("0", PyFormat.fixed(0.5, 0));
    assertEquals("2", PyFormat.fixed(1.5, 0));
    assertEquals("2", PyFormat.fixed(2.5, 0));
    assertEquals("nan", PyFormat.fixed(Double.NaN, 2));
    assertEquals("     0.50", PyFormat.rightAlign(PyFormat.fixed(0.5, 2), 9));
  }

  @Test
  void sortOrderIsByCodePoint() {
    // U+FF21 (fullwidth A) sorts after U+1F600 in UTF-16 order but before it by code point.
    String fullwidth = "\uFF21";
    String emoji = new String(Character.toChars(0x1F600));
    assertTrue(CodePointOrder.compare(fullwidth, emoji) < 0);
    assertTrue(fullwidth.compareTo(emoji) > 0);
    assertEquals(1, CodePointOrder.length(emoji));
    assertTrue(CodePointOrder.compare("PER", "PERSON") < 0);
    assertEquals(0, CodePointOrder.compare("LOC", "LOC"));
  }

  /* numpy pairwise summation: for 9 values a[0..8] it is
   * ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)) + a8; with 1e16 and eight 1.0s placed so that naive
   * left-to-right addition loses every 1.0 (1e16 + 1 == 1e16), pairwise keeps 1+1 pairs:
   * a = [1e16, 1, 1, 1, 1, 1, 1, 1, 1]: (1e16+1) = 1e16 (doubles near 1e16 are 2 apart, the tie
   * goes to even), + (1+1) -> 1e16+2; (1+1)+(1+1) = 4 -> 1e16+6; + a8 -> 1e16+7, a tie between
   * 1e16+6 (mantissa odd) and 1e16+8 (even) -> 1e16+8. numpy 2.4.6 np.sum gives 1.0000000000000008e+16. */
  @Test
  void numpyPairwiseSum() {
    double[] a = {1e16, 1, 1, 1, 1, 1, 1, 1, 1};
    double naive = 0;
    for (double v : a) {
      naive += v;
    }
    assertEquals(1e16, naive);
    assertEquals(1e16 + 8, NumpySum.sum(a));
    assertTrue(Double.isNaN(NumpySum.mean(new double[0])));
    assertEquals(2.5, NumpySum.mean(new double[] {1, 2, 3, 4}));
  }
}
