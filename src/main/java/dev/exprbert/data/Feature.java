package dev.exprbert.data;

/**
 * One model input: a sentence, or a window of a sentence longer than the model's maximum length.
 *
 * @param sentenceIndex the sentence's position in the featurized list
 * @param encoding the window's sub-tokens (special tokens included) and label ids; in evaluation
 *     features, positions of words another window predicts carry -100
 * @param ownedWords sentence word indices this window predicts (each word is owned by exactly one
 *     window: the one where it has the most context); words with no sub-token are owned by none
 */
public record Feature(int sentenceIndex, AlignedSentence encoding, int[] ownedWords) {
  public int length() {
    return encoding.length();
  }
}
