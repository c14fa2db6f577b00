package dev.exprbert.data.spans;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts of what happened to the spans of one file; every individual case also went to the
 * issue sink of {@link SpanOptions} as it happened. {@link #summary()} is the closing line.
 */
public final class AlignmentReport {
  private final String source;
  long documents;
  long spans;
  long aligned;
  long trimmed;
  long snapped;
  long droppedMisaligned;
  long droppedEmpty;
  long droppedOverlap;
  long duplicates;
  long notes;
  private final List<String> readerNotes = new ArrayList<>();

  AlignmentReport(String source) {
    this.source = source;
  }

  public long documents() {
    return documents;
  }

  /** Spans read from the file (a discontinuous brat span counts once per fragment). */
  public long spans() {
    return spans;
  }

  /** Spans whose ends were word boundaries already. */
  public long aligned() {
    return aligned;
  }

  /** Spans that were aligned once the spaces at their ends were cut off (not reported one by one). */
  public long trimmed() {
    return trimmed;
  }

  public long snapped() {
    return snapped;
  }

  /** Spans left out: misaligned under {@code drop}, covering no word, or overlapping a longer one. */
  public long dropped() {
    return droppedMisaligned + droppedEmpty + droppedOverlap;
  }

  public long droppedOverlap() {
    return droppedOverlap;
  }

  /** Exact repeats (same words, same label) merged into one. */
  public long duplicates() {
    return duplicates;
  }

  /** Spans that entered the tags. */
  public long kept() {
    return spans - dropped() - duplicates;
  }

  /** Spans that did not map onto words unchanged: snapped or dropped. */
  public long misaligned() {
    return snapped + droppedMisaligned + droppedEmpty;
  }

  void addReaderNotes(List<String> notes) {
    readerNotes.addAll(notes);
  }

  /** One line: documents, spans and what happened to them. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(source).append(": ").append(documents).append(documents == 1 ? " document, " : " documents, ")
        .append(spans).append(spans == 1 ? " span: " : " spans: ")
        .append(aligned + trimmed).append(" on word boundaries");
    if (trimmed > 0) {
      out.append(" (").append(trimmed).append(" after trimming surrounding spaces)");
    }
    out.append(", ").append(snapped).append(" snapped, ").append(dropped()).append(" dropped");
    if (dropped() > 0) {
      List<String> why = new ArrayList<>();
      if (droppedMisaligned > 0) {
        why.add(droppedMisaligned + " misaligned");
      }
      if (droppedEmpty > 0) {
        why.add(droppedEmpty + " covering no word");
      }
      if (droppedOverlap > 0) {
        why.add(droppedOverlap + " overlapping a longer span");
      }
      out.append(" (").append(String.join(", ", why)).append(")");
    }
    if (duplicates > 0) {
      out.append(", ").append(duplicates).append(" duplicate").append(duplicates == 1 ? "" : "s")
          .append(" merged");
    }
    if (notes > 0) {
      out.append(", ").append(notes).append(notes == 1 ? " note" : " notes");
    }
    for (String note : readerNotes) {
      out.append("; ").append(note);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
