package dev.exprbert.metrics;

import dev.exprbert.runtime.CodePointOrder;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The two pieces of Python's str.format that seqeval's report uses: {@code '{:>{w}s}'} and
 * {@code '{:>{w}.{d}f}'}. Python rounds the exact binary value half-to-even (0.125 -> "0.12",
 * 0.675 -> "0.67" because the double is 0.67499...), while {@code String.format("%.2f")} rounds
 * half-up from the shortest decimal (0.13, 0.68); BigDecimal of the double reproduces Python.
 */
final class PyFormat {
  private PyFormat() {}

  /** {@code '{:>{width}}'.format(text)}: left-pad to {@code width} code points. */
  static String rightAlign(String text, int width) {
    int missing = width - CodePointOrder.length(text);
    return missing <= 0 ? text : " ".repeat(missing) + text;
  }

  /** {@code '{:.{digits}f}'.format(value)}. */
  static String fixed(double value, int digits) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    String text = new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    // Python keeps the sign of a negative value that rounds to zero ("-0.00").
    if (value < 0 || (value == 0.0 && 1.0 / value < 0)) {
      return text.startsWith("-") ? text : "-" + text;
    }
    return text;
  }
}
