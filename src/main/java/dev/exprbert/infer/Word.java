package dev.exprbert.infer;

/**
 * One word of a tagged text: its characters and where they sit in the text.
 *
 * @param start UTF-16 index (Java {@code String} index) of the first character in the text
 * @param end UTF-16 index one past the last character
 */
public record Word(String text, int start, int end) {
  public Word {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("a word needs at least one character, got " + (text == null ? "null" : "\"\""));
    }
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("word \"" + text + "\": bad offsets [" + start + ", " + end + ")");
    }
  }
}
