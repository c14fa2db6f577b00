package dev.exprbert.infer;

/**
 * A labelled stretch of a text, as Hugging Face's token-classification pipeline reports it.
 *
 * @param type the entity type: the label without its B-/I- prefix for grouped strategies (HF
 *     {@code entity_group}), or the full label for {@link Aggregation#NONE} (HF {@code entity})
 * @param startChar UTF-16 index of the first character in the text (HF {@code start})
 * @param endChar UTF-16 index one past the last character (HF {@code end})
 * @param text the text between the two offsets
 * @param score the probability of the label (a mean over the grouped tokens or words, as HF)
 * @param startWord index of the first word the span touches
 * @param endWord index one past the last word the span touches
 */
public record Span(String type, int startChar, int endChar, String text, double score, int startWord, int endWord) {}
