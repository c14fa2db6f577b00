package dev.exprbert.data;

import java.util.List;

/**
 * The outcome of a BIO check: how many {@code I-X} tags were ill-formed, and the first few of them.
 *
 * @param sentences sentences checked
 * @param illFormed ill-formed {@code I-X} tags found in all of them
 * @param firstExamples the first ill-formed tags, in file order, at most the requested number
 */
public record BioReport(long sentences, long illFormed, List<BioViolation> firstExamples) {
  public BioReport {
    firstExamples = List.copyOf(firstExamples);
  }

  public boolean isWellFormed() {
    return illFormed == 0;
  }

  /** One line for a log warning, e.g. "3 ill-formed I- tags in 120 sentences, first: ...". */
  public String summary() {
    if (illFormed == 0) {
      return "BIO tags well-formed in " + sentences + " sentences";
    }
    return illFormed + " ill-formed I- tag(s) (I-X not after B-X or I-X) in " + sentences
        + " sentences; first: " + firstExamples;
  }
}
