package dev.exprbert.infer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.exprbert.io.ModelTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Character offsets of every sub-token, for {@link Aggregation#SIMPLE} (whose spans may start or end inside
 * a word, as Hugging Face's do). The tokenizer reports each piece's offsets in code points relative to its
 * own word (pre-tokenized input); they become UTF-16 offsets into the text here.
 */
final class PieceOffsets {
  private PieceOffsets() {}

  /** Per word, per piece: {start, end} in the text. */
  static int[][][] of(ModelTokenizer tokenizer, List<Word> words) {
    String[] texts = words.stream().map(Word::text).toArray(String[]::new);
    Encoding encoding = tokenizer.huggingFaceTokenizer().encode(texts, true, false);
    long[] wordIds = encoding.getWordIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    List<List<int[]>> perWord = new ArrayList<>();
    for (int w = 0; w < words.size(); w++) {
      perWord.add(new ArrayList<>());
    }
    for (int t = 0; t < wordIds.length; t++) {
      if (wordIds[t] < 0) {
        continue;
      }
      Word word = words.get((int) wordIds[t]);
      CharSpan span = spans[t];
      int start = span == null ? 0 : utf16(word.text(), span.getStart());
      int end = span == null ? word.text().length() : utf16(word.text(), span.getEnd());
      perWord.get((int) wordIds[t]).add(new int[] {word.start() + start, word.start() + Math.max(start, end)});
    }
    int[][][] out = new int[words.size()][][];
    for (int w = 0; w < out.length; w++) {
      out[w] = perWord.get(w).toArray(new int[0][]);
    }
    return out;
  }

  private static int utf16(String word, int codePoints) {
    int available = word.codePointCount(0, word.length());
    return word.offsetByCodePoints(0, Math.max(0, Math.min(codePoints, available)));
  }
}
