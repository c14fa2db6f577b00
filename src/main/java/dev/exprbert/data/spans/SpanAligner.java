package dev.exprbert.data.spans;

import dev.exprbert.data.InputFormatException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Maps the character spans of one document onto its words: each span becomes the words it covers,
 * with every deviation reported.
 *
 * <ol>
 *   <li>Spaces (and control characters) at a span's ends are cut off silently (annotation tools
 *       let users select a trailing space); such spans count as aligned.
 *   <li>A span whose ends are still not word boundaries is misaligned: {@link MisalignedPolicy#SNAP}
 *       widens it to the whole words it touches, {@code DROP} leaves it out, {@code ERROR} stops.
 *       A span that touches no word at all is always dropped (or an error under {@code ERROR}).
 *   <li>Exact repeats (same words and label) are merged. Spans sharing a word (after snapping) are
 *       an error unless {@link OverlapPolicy#KEEP_LONGEST}, which keeps the span with the most words
 *       (then characters, then the earlier start, then file order) and drops the others.
 * </ol>
 */
final class SpanAligner {
  private final SpanOptions options;
  private final AlignmentReport report;

  SpanAligner(SpanOptions options, AlignmentReport report) {
    this.options = options;
    this.report = report;
  }

  /** A span on its way to a word range, with what messages need. */
  private record Candidate(AnnotatedSpan span, WordRange words, int chars, int order) {}

  /** The entities of {@code document}, sorted and non-overlapping, as word ranges of {@code words}. */
  List<WordRange> align(SpanDocument document, List<CharRange> words) {
    String text = document.text();
    int[] starts = new int[words.size()];
    int[] ends = new int[words.size()];
    for (int w = 0; w < words.size(); w++) {
      starts[w] = words.get(w).start();
      ends[w] = words.get(w).end();
    }
    Offsets offsets = new Offsets(text, document.unit());
    List<Candidate> candidates = new ArrayList<>();
    int order = 0;
    for (AnnotatedSpan span : document.spans()) {
      report.spans++;
      if (span.note() != null) {
        report.notes++;
        issue(document, span, AlignmentIssue.Kind.NOTE, describe(span, text) + ": " + span.note());
      }
      int s = span.start();
      int e = Math.min(span.end(), text.length());
      while (s < e && WordSplitter.isSeparator(text.codePointAt(s))) {
        s += Character.charCount(text.codePointAt(s));
      }
      while (e > s && WordSplitter.isSeparator(text.codePointBefore(e))) {
        e -= Character.charCount(text.codePointBefore(e));
      }
      int first = firstEndingAfter(ends, s);
      int last = lastStartingBefore(starts, e);
      if (s == e || first > last) {
        if (options.onMisaligned() == MisalignedPolicy.ERROR) {
          throw misaligned(document, span, text, "it covers no word (only spaces or control characters)");
        }
        report.droppedEmpty++;
        issue(document, span, AlignmentIssue.Kind.DROPPED_EMPTY,
            describe(span, text) + " covers no word (only spaces or control characters): dropped");
        continue;
      }
      boolean exact = starts[first] == s && ends[last] == e;
      if (!exact) {
        String words0 = InputFormatException.quote(text.substring(starts[first], ends[last]));
        switch (options.onMisaligned()) {
          case ERROR -> throw misaligned(document, span, text, "the words it touches are " + words0);
          case DROP -> {
            report.droppedMisaligned++;
            issue(document, span, AlignmentIssue.Kind.DROPPED_MISALIGNED, describe(span, text)
                + " does not align with word boundaries (the words it touches are " + words0
                + "): dropped");
            continue;
          }
          case SNAP -> {
            report.snapped++;
            issue(document, span, AlignmentIssue.Kind.SNAPPED, describe(span, text)
                + " does not align with word boundaries: snapped to "
                + offsets.describe(starts[first], ends[last]) + " " + words0);
          }
        }
      } else if (s != span.start() || e != span.end()) {
        report.trimmed++;
      } else {
        report.aligned++;
      }
      candidates.add(new Candidate(span, new WordRange(first, last + 1, span.label()),
          ends[last] - starts[first], order++));
    }
    return resolveOverlaps(document, text, candidates);
  }

  private List<WordRange> resolveOverlaps(SpanDocument document, String text, List<Candidate> candidates) {
    List<Candidate> unique = new ArrayList<>();
    for (Candidate candidate : candidates) {
      if (unique.stream().anyMatch(u -> u.words().equals(candidate.words()))) {
        report.duplicates++;
      } else {
        unique.add(candidate);
      }
    }
    List<Candidate> ranked = new ArrayList<>(unique);
    ranked.sort(Comparator.comparingInt((Candidate c) -> -c.words().length())
        .thenComparingInt(c -> -c.chars())
        .thenComparingInt(c -> c.words().start())
        .thenComparingInt(Candidate::order));
    List<Candidate> kept = new ArrayList<>();
    for (Candidate candidate : ranked) {
      Candidate winner = null;
      for (Candidate k : kept) {
        if (k.words().overlaps(candidate.words())) {
          winner = k;
          break;
        }
      }
      if (winner == null) {
        kept.add(candidate);
        continue;
      }
      if (options.overlaps() == OverlapPolicy.ERROR) {
        Candidate earlier = winner.order() < candidate.order() ? winner : candidate;
        Candidate later = earlier == winner ? candidate : winner;
        throw new InputFormatException(document.source(), later.span().line(),
            "spans that share no word (BIO tags cannot nest; --overlaps keep_longest keeps the"
                + " longest)",
            describe(later.span(), text) + " overlaps " + describe(earlier.span(), text)
                + (earlier.span().line() != later.span().line() ? " at line " + earlier.span().line() : ""));
      }
      report.droppedOverlap++;
      issue(document, candidate.span(), AlignmentIssue.Kind.DROPPED_OVERLAP, describe(candidate.span(), text)
          + " overlaps the longer " + describe(winner.span(), text) + ": dropped (--overlaps keep_longest)");
    }
    List<WordRange> result = new ArrayList<>();
    for (Candidate k : kept) {
      result.add(k.words());
    }
    result.sort(Comparator.comparingInt(WordRange::start));
    return result;
  }

  private InputFormatException misaligned(SpanDocument document, AnnotatedSpan span, String text, String why) {
    return new InputFormatException(document.source(), span.line(),
        "span ends on word boundaries (--on_misaligned snap or drop to go on)",
        describe(span, text) + ": " + why);
  }

  private void issue(SpanDocument document, AnnotatedSpan span, AlignmentIssue.Kind kind, String message) {
    options.issues().accept(new AlignmentIssue(document.source(), span.line(), kind, message));
  }

  /** {@code span T3 [5, 12) "otel st" (EXPR)}. */
  static String describe(AnnotatedSpan span, String text) {
    int end = Math.min(span.end(), text.length());
    return "span " + span.where() + " " + InputFormatException.quote(text.substring(span.start(), end))
        + " (" + span.label() + ")";
  }

  /** Index of the first word ending after {@code position}, or words.length. */
  private static int firstEndingAfter(int[] ends, int position) {
    int lo = 0;
    int hi = ends.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] > position) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Index of the last word starting before {@code position}, or -1. */
  private static int lastStartingBefore(int[] starts, int position) {
    int lo = 0;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid] < position) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - 1;
  }

  /** Quotes UTF-16 ranges back in the file's own unit. */
  private static final class Offsets {
    private final String text;
    private final OffsetUnit unit;
    private CodePointIndex index;

    Offsets(String text, OffsetUnit unit) {
      this.text = text;
      this.unit = unit;
    }

    String describe(int start, int end) {
      if (index == null) {
        index = new CodePointIndex(text);
      }
      return "[" + index.fromUtf16(start, unit) + ", " + index.fromUtf16(end, unit) + ")";
    }
  }
}
