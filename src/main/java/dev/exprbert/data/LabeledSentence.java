package dev.exprbert.data;

import java.util.List;

/**
 * One sentence of pre-split words, its tags when the input has them, and where it came from.
 *
 * @param words the words, at least one, none null
 * @param tags one tag per word, or {@code null} for prediction input that carries no tags
 * @param source the file the sentence was read from, as the caller named it (for messages)
 * @param line the 1-based line of the sentence's first word (CoNLL) or of its record (JSONL, text)
 */
public record LabeledSentence(List<String> words, List<String> tags, String source, long line) {

  public LabeledSentence {
    words = List.copyOf(words);
    tags = tags == null ? null : List.copyOf(tags);
    if (words.isEmpty()) {
      throw new IllegalArgumentException("words must not be empty (" + source + ":" + line + ")");
    }
    if (tags != null && tags.size() != words.size()) {
      throw new IllegalArgumentException(
          "tags must match words one to one (" + source + ":" + line + "): " + words.size()
              + " words, " + tags.size() + " tags");
    }
    if (line < 1) {
      throw new IllegalArgumentException("line must be >= 1, got " + line);
    }
  }

  /** Whether the input carried tags for this sentence. */
  public boolean hasTags() {
    return tags != null;
  }

  public int size() {
    return words.size();
  }

  /** {@code source:line}, the prefix every message about this sentence uses. */
  public String location() {
    return source + ":" + line;
  }

  /** The same sentence with other tags (one per word), e.g. unknown labels mapped to {@code O}. */
  public LabeledSentence withTags(List<String> newTags) {
    return new LabeledSentence(words, newTags, source, line);
  }
}
