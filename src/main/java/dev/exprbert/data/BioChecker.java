package dev.exprbert.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds ill-formed BIO: an {@code I-X} that does not follow {@code B-X} or {@code I-X} of the same
 * type X (including one that starts a sentence). Other tags ({@code O}, {@code B-X}, tags outside
 * the scheme) are not judged. Ill-formed data is a warning, not an error: seqeval reads such an
 * {@code I-X} as the start of a new chunk, and training goes on.
 *
 * <p>Feed sentences one at a time with {@link #accept} while streaming, then read {@link #report()}.
 */
public final class BioChecker {
  private final int maxExamples;
  private final List<BioViolation> examples = new ArrayList<>();
  private long sentences;
  private long illFormed;

  /** @param maxExamples how many violations to keep for the report (the count is always exact) */
  public BioChecker(int maxExamples) {
    if (maxExamples < 0) {
      throw new IllegalArgumentException("maxExamples must be >= 0, got " + maxExamples);
    }
    this.maxExamples = maxExamples;
  }

  /** Checks one sentence; sentences without tags are an error (nothing to check). */
  public void accept(LabeledSentence sentence) {
    if (!sentence.hasTags()) {
      throw new IllegalArgumentException(
          "cannot check BIO tags: the sentence at " + sentence.location() + " has no tags");
    }
    sentences++;
    List<String> tags = sentence.tags();
    String previous = null;
    for (int i = 0; i < tags.size(); i++) {
      String tag = tags.get(i);
      if (tag.startsWith("I-") && !continues(previous, tag.substring(2))) {
        illFormed++;
        if (examples.size() < maxExamples) {
          examples.add(
              new BioViolation(sentence.location(), i, sentence.words().get(i), previous, tag));
        }
      }
      previous = tag;
    }
  }

  private static boolean continues(String previous, String type) {
    return previous != null
        && (previous.startsWith("B-") || previous.startsWith("I-"))
        && previous.substring(2).equals(type);
  }

  public BioReport report() {
    return new BioReport(sentences, illFormed, examples);
  }

  /** Checks every sentence of an in-memory dataset. */
  public static BioReport check(Iterable<LabeledSentence> sentences, int maxExamples) {
    BioChecker checker = new BioChecker(maxExamples);
    sentences.forEach(checker::accept);
    return checker.report();
  }
}
