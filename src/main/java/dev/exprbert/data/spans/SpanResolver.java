package dev.exprbert.data.spans;

import dev.exprbert.data.InputFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the offsets of one document's spans and turns them into {@link AnnotatedSpan}s in UTF-16
 * indices. Offsets must be {@code 0 <= start < end <= length} in the file's unit; anything else is
 * an error naming the file and line.
 *
 * <p>Where the file also gives the span's text (brat's third column, Label Studio's
 * {@code value.text}, a {@code text} key in a span object), the text is compared: when it matches
 * only if the offsets are read in the other unit (a browser's UTF-16 count in a file that should
 * count code points, or the reverse), that reading is used and a note says so; when it matches in
 * neither, the offsets are used as written and a note quotes both.
 */
final class SpanResolver {
  private final String source;
  private final String text;
  private final OffsetUnit unit;
  private final CodePointIndex index;

  SpanResolver(String source, String text, OffsetUnit unit) {
    this.source = source;
    this.text = text;
    this.unit = unit;
    this.index = new CodePointIndex(text);
  }

  /** One contiguous span; {@code claimedText} may be null. */
  AnnotatedSpan resolve(long line, String name, long start, long end, String label, String claimedText) {
    return resolve(line, name, new long[][] {{start, end}}, label, claimedText).get(0);
  }

  /**
   * A span of one or more fragments (brat's discontinuous spans); the claimed text of a fragmented
   * span is its fragments' texts joined by single spaces, as brat writes it.
   */
  List<AnnotatedSpan> resolve(long line, String name, long[][] fragments, String label, String claimedText) {
    if (label == null || label.isEmpty()) {
      throw new InputFormatException(source, line, "a non-empty label for " + name, "an empty label");
    }
    for (long[] f : fragments) {
      check(line, name, f[0], f[1]);
    }
    OffsetUnit used = unit;
    String note = null;
    if (claimedText != null && !claimedText.equals(covered(fragments, unit))) {
      String other = fits(fragments, unit.other()) ? covered(fragments, unit.other()) : null;
      if (claimedText.equals(other)) {
        used = unit.other();
        note = "its offsets count " + used.description() + " (only that reading gives its text "
            + InputFormatException.quote(claimedText) + "); read that way";
      } else {
        note = "the file gives its text as " + InputFormatException.quote(claimedText)
            + " but the offsets cover " + InputFormatException.quote(covered(fragments, unit))
            + "; the offsets are used";
      }
    }
    List<AnnotatedSpan> spans = new ArrayList<>(fragments.length);
    for (int i = 0; i < fragments.length; i++) {
      long[] f = fragments[i];
      String where = name + " [" + f[0] + ", " + f[1] + ")";
      String fragmentNote = note;
      if (fragments.length > 1) {
        String part = "fragment " + (i + 1) + " of " + fragments.length
            + " of a discontinuous span, tagged as an entity of its own";
        fragmentNote = note == null ? part : part + "; " + note;
      }
      spans.add(new AnnotatedSpan(label, index.toUtf16((int) f[0], used), index.toUtf16((int) f[1], used),
          line, where, fragmentNote));
    }
    return spans;
  }

  private void check(long line, String name, long start, long end) {
    String shown = name + " [" + start + ", " + end + ")";
    if (start < 0 || end < 0) {
      throw new InputFormatException(source, line, "offsets >= 0", shown);
    }
    if (end == start) {
      throw new InputFormatException(source, line,
          "a span with end > start (a zero-length span marks no text)", shown);
    }
    if (end < start) {
      throw new InputFormatException(source, line, "start < end", shown);
    }
    int length = index.length(unit);
    if (end > length) {
      throw new InputFormatException(source, line,
          "offsets within the text (" + length + " " + unit.description() + ")",
          shown + ", which ends beyond the text");
    }
  }

  private boolean fits(long[][] fragments, OffsetUnit u) {
    for (long[] f : fragments) {
      if (f[1] > index.length(u)) {
        return false;
      }
    }
    return true;
  }

  private String covered(long[][] fragments, OffsetUnit u) {
    StringBuilder out = new StringBuilder();
    for (long[] f : fragments) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(text, index.toUtf16((int) f[0], u), index.toUtf16((int) f[1], u));
    }
    return out.toString();
  }
}
