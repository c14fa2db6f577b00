package dev.exprbert.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code str()} of the values a model card prints, so the card reads like the one Hugging
 * Face's Trainer writes: floats as {@code repr(float)} (shortest round-trip digits, exponent form when
 * the decimal point sits 4 or more places left of the first digit or more than 16 right: {@code 2e-05},
 * {@code 0.0001}, {@code 5.0}, {@code 1e+16}), booleans as {@code True}/{@code False}, None as {@code None}.
 *
 * <p>Java 17's {@link Double#toString} is not always the shortest round-trip form (JDK-4511638, fixed in
 * 19), so the digits come from BigDecimal: the fewest significant digits that parse back to the same double.
 */
final class PythonRepr {
  private PythonRepr() {}

  /** Python's {@code str(value)} for a number, string, boolean or null. */
  static String str(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (value instanceof Double || value instanceof Float) {
      return floatRepr(((Number) value).doubleValue());
    }
    return value.toString();
  }

  /** {@code repr(float(value))}. */
  static String floatRepr(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0.0) {
      return 1.0 / value < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(value);
    BigDecimal shortest = exact;
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == value) {
        shortest = rounded;
        break;
      }
    }
    String digits = shortest.unscaledValue().abs().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) {
      digits = "0";
    }
    // value = 0.DIGITS * 10^decimalPoint
    int decimalPoint = shortest.precision() - shortest.scale();
    String sign = value < 0 ? "-" : "";
    if (decimalPoint <= -4 || decimalPoint > 16) {
      int exponent = decimalPoint - 1;
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String exp = String.format("%02d", Math.abs(exponent));
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }
    String fixed;
    if (decimalPoint <= 0) {
      fixed = "0." + "0".repeat(-decimalPoint) + digits;
    } else if (decimalPoint >= digits.length()) {
      fixed = digits + "0".repeat(decimalPoint - digits.length()) + ".0";
    } else {
      fixed = digits.substring(0, decimalPoint) + "." + digits.substring(decimalPoint);
    }
    return sign + fixed;
  }

  /**
   * HF modelcard's {@code _maybe_round(v, 4)}: a float whose {@code str} has more than 4 decimals prints
   * with {@code f"{v:.4f}"} (Python rounds the exact binary value half-to-even); anything else as {@code str}.
   */
  static String maybeRound(Object value) {
    String text = str(value);
    if ((value instanceof Double || value instanceof Float) && text.contains(".")
        && text.substring(text.indexOf('.') + 1).length() > 4) {
      double v = ((Number) value).doubleValue();
      String rounded = new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
      // Python keeps the sign of a negative value that rounds to zero ("-0.0000"); BigDecimal has no -0
      return v < 0 && !rounded.startsWith("-") ? "-" + rounded : rounded;
    }
    return text;
  }
}
