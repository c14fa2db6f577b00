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
    tags = tags == null ? null : canonical(tags);
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

  /**
   * The tags as the JVM's one copy of each string: a dataset has a handful of distinct tags but a tag per word, and
   * a sentence list held for a run (training data, an evaluation set) would otherwise keep a string object per word
   * for them (about 40% of the list's heap on OpeNER).
   */
  private static List<String> canonical(List<String> tags) {
    String[] out = new String[tags.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = tags.get(i).intern();
    }
    return List.of(out);
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
