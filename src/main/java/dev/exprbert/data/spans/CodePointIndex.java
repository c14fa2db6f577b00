package dev.exprbert.data.spans;

/**
 * Converts between code-point offsets and Java {@code String} (UTF-16) indices of one text. Texts
 * without surrogate pairs (most) need no table; others get one table of code-point starts, built
 * once, so converting many offsets stays linear in the text.
 */
final class CodePointIndex {
  private final String text;
  /** UTF-16 index of each code point, plus text.length() at the end; null when the two agree. */
  private final int[] utf16OfCodePoint;

  CodePointIndex(String text) {
    this.text = text;
    int codePoints = text.codePointCount(0, text.length());
    if (codePoints == text.length()) {
      utf16OfCodePoint = null;
    } else {
      utf16OfCodePoint = new int[codePoints + 1];
      int i = 0;
      for (int cp = 0; cp < codePoints; cp++) {
        utf16OfCodePoint[cp] = i;
        i += Character.charCount(text.codePointAt(i));
      }
      utf16OfCodePoint[codePoints] = text.length();
    }
  }

  /** Number of offsets positions in {@code unit}: the text's length in that unit. */
  int length(OffsetUnit unit) {
    return unit == OffsetUnit.UTF16 || utf16OfCodePoint == null
        ? text.length()
        : utf16OfCodePoint.length - 1;
  }

  /** The UTF-16 index of {@code offset} counted in {@code unit}; the caller checks the range. */
  int toUtf16(int offset, OffsetUnit unit) {
    if (unit == OffsetUnit.UTF16 || utf16OfCodePoint == null) {
      return offset;
    }
    return utf16OfCodePoint[offset];
  }

  /** The offset in {@code unit} of a UTF-16 index (a low surrogate counts as its pair's start). */
  int fromUtf16(int index, OffsetUnit unit) {
    if (unit == OffsetUnit.UTF16 || utf16OfCodePoint == null) {
      return index;
    }
    int found = java.util.Arrays.binarySearch(utf16OfCodePoint, index);
    return found >= 0 ? found : -found - 2;
  }
}
