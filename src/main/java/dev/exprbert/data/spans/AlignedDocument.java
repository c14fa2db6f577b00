package dev.exprbert.data.spans;

import dev.exprbert.data.LabeledSentence;
import java.util.ArrayList;
import java.util.List;

/**
 * A document after alignment: its text, its words with their places in the text, and its entities
 * over those words (with the tags they spell).
 *
 * @param entities the entities over {@code words}; {@code null} when the input had no span field
 * @param tags one tag per word in the chosen scheme; {@code null} exactly when entities are
 */
public record AlignedDocument(
    String source, long line, String text, List<CharRange> words, List<WordRange> entities, List<String> tags) {
  public AlignedDocument {
    words = List.copyOf(words);
    entities = entities == null ? null : List.copyOf(entities);
    tags = tags == null ? null : List.copyOf(tags);
  }

  /** The words as strings. */
  public List<String> wordTexts() {
    List<String> out = new ArrayList<>(words.size());
    for (CharRange word : words) {
      out.add(word.of(text));
    }
    return out;
  }

  public LabeledSentence toSentence() {
    return new LabeledSentence(wordTexts(), tags, source, line);
  }
}
