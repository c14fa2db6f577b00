package dev.exprbert.infer;

import java.util.ArrayList;
import java.util.List;

/**
 * Raw text -> words with character offsets, the way BERT's basic tokenization splits text
 * (Hugging Face {@code BertNormalizer(clean_text, handle_chinese_chars)} + {@code BertPreTokenizer}):
 * whitespace separates words; every punctuation character is a word of its own; every CJK ideograph is a
 * word of its own; control, format, private-use and unassigned characters, U+0000 and U+FFFD are dropped (they neither start nor end a word,
 * so one inside a word stays inside it, as the normalizer removes it after the split).
 *
 * <p>Punctuation is what BERT calls punctuation: ASCII 33-47, 58-64, 91-96, 123-126 (so {@code $}, {@code ^},
 * {@code `} too) and every Unicode P* category. Offsets are UTF-16 indices into the original string, so a
 * word is always {@code text.substring(start, end)}, surrogate pairs included. Casing and accents are
 * left alone: the tokenizer's own normalizer handles them.
 */
public final class TextSplitter {
  private TextSplitter() {}

  public static List<Word> split(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text is null; expected a string (possibly empty)");
    }
    List<Word> words = new ArrayList<>();
    int wordStart = -1; // UTF-16 index of the current word's first kept character, -1 outside a word
    int wordEnd = -1; // one past its last kept character
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isWhitespace(cp)) {
        wordStart = flush(text, words, wordStart, wordEnd);
      } else if (isIgnorable(cp)) {
        // dropped by clean_text: no effect on word boundaries
      } else if (isPunctuation(cp) || isCjk(cp)) {
        wordStart = flush(text, words, wordStart, wordEnd);
        words.add(new Word(text.substring(i, next), i, next));
      } else {
        if (wordStart < 0) {
          wordStart = i;
        }
        wordEnd = next;
      }
      i = next;
    }
    flush(text, words, wordStart, wordEnd);
    return words;
  }

  /** Ends the current word, if any; returns the new word start (-1). */
  private static int flush(String text, List<Word> words, int start, int end) {
    if (start >= 0) {
      words.add(new Word(text.substring(start, end), start, end));
    }
    return -1;
  }

  /** BERT's {@code _is_whitespace}: space, tab, newline, carriage return and Unicode Zs. */
  static boolean isWhitespace(int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  /**
   * What {@code _clean_text} removes: U+0000, U+FFFD and "control" characters other than whitespace, where
   * BERT's {@code _is_control} means every C* category (Cc, Cf, Cn, Co, Cs), as does the Rust normalizer.
   */
  static boolean isIgnorable(int cp) {
    if (cp == 0 || cp == 0xFFFD) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE ->
          !isWhitespace(cp);
      default -> false;
    };
  }

  /** BERT's {@code _is_punctuation}. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
          Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }

  /** BERT's {@code _is_chinese_char}: the CJK Unified Ideographs blocks (not Hiragana, Katakana or Hangul). */
  static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
