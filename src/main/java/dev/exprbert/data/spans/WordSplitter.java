package dev.exprbert.data.spans;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits raw text into words, keeping where each word sits, the way the project's CoNLL data was
 * tokenised (OpeNER conversion): whitespace and control/format characters (Unicode Cc, Cf) separate
 * words and are dropped; a maximal run of letters, digits and combining marks (L*, N*, M*) is one
 * word; every other character (punctuation, symbols, emoji) is a word of its own. So {@code don't}
 * is {@code don ' t} and {@code 18-åringen} is {@code 18 - åringen}. One refinement: a combining
 * mark directly after a symbol joins it (an emoji's variation selector U+FE0F stays with the emoji)
 * instead of making a word of its own. An emoji joined by U+200D (Cf) becomes one word per part.
 *
 * <p>Why not the inference splitter: that one mirrors BERT's basic tokenizer (CJK ideographs
 * split, symbols such as {@code €} or emoji kept inside words), which is right for raw-text
 * prediction but not how the training data's words were cut; spans are aligned to the words a
 * model is trained on. Words joined by single spaces split back into the same words, which is what
 * lets span files and CoNLL files convert into each other without change.
 */
public final class WordSplitter {
  private WordSplitter() {}

  /** The words of {@code text} in order, as UTF-16 ranges. */
  public static List<CharRange> split(String text) {
    List<CharRange> words = new ArrayList<>();
    int start = -1; // start of the word being built, -1 between words
    boolean symbol = false; // the word being built is one symbol (plus the marks that follow it)
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isSeparator(cp)) {
        start = close(words, start, i);
      } else if (isMark(cp)) {
        if (start < 0) {
          start = i;
          symbol = false;
        }
      } else if (isWordCharacter(cp)) {
        if (start >= 0 && symbol) {
          start = close(words, start, i);
        }
        if (start < 0) {
          start = i;
          symbol = false;
        }
      } else {
        close(words, start, i);
        start = i;
        symbol = true;
      }
      i = next;
    }
    close(words, start, text.length());
    return words;
  }

  private static int close(List<CharRange> words, int start, int end) {
    if (start >= 0) {
      words.add(new CharRange(start, end));
    }
    return -1;
  }

  /** Whitespace, Cc and Cf: never part of a word. */
  public static boolean isSeparator(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT;
  }

  /** Letters and numbers (L*, N*). */
  private static boolean isWordCharacter(int cp) {
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
      default -> false;
    };
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }
}
