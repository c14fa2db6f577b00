package dev.exprbert.runtime;

import java.util.Comparator;

/**
 * Python's {@code sorted()} order for str: by Unicode code point. {@link String#compareTo} compares
 * UTF-16 units and disagrees once a type name holds a character above U+FFFF next to one in
 * U+E000..U+FFFF. Label lists (run_ner's sorted()), seqeval report rows and safetensors headers (Rust
 * sorts str by bytes, which for UTF-8 is code-point order) all need this order.
 */
public final class CodePointOrder {
  public static final Comparator<String> COMPARATOR = CodePointOrder::compare;

  private CodePointOrder() {}

  public static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** Python {@code len(s)}: code points, not UTF-16 units. */
  public static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
