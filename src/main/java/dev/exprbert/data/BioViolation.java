package dev.exprbert.data;

/**
 * An {@code I-X} tag that follows neither {@code B-X} nor {@code I-X}.
 *
 * @param sentence where the sentence is ({@code file:line})
 * @param tokenIndex 0-based position of the offending word in the sentence
 * @param word the word
 * @param previousTag the tag before it, or {@code null} at the start of the sentence
 * @param tag the offending {@code I-X} tag
 */
public record BioViolation(
    String sentence, int tokenIndex, String word, String previousTag, String tag) {

  @Override
  public String toString() {
    return sentence + " word " + (tokenIndex + 1) + " \"" + word + "\": " + tag
        + (previousTag == null ? " starts the sentence" : " after " + previousTag);
  }
}
