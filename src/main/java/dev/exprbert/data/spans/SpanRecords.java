package dev.exprbert.data.spans;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns words and tags back into text with character-offset spans ({@link SpanRecord}), e.g. a
 * tagger's output, so that the result loads into doccano, Label Studio, spaCy or Prodigy. Tags are
 * read leniently in any of BIO, IOBES, BILOU ({@link LabelScheme#decode}).
 */
public final class SpanRecords {
  private SpanRecords() {}

  /**
   * For pre-split words: the text is the words joined by single spaces (which {@link WordSplitter}
   * splits back into the same words when they came from it or from the project's CoNLL data).
   *
   * @throws IllegalArgumentException when the counts differ or a tag is not O or prefix-type
   */
  public static SpanRecord fromWords(List<String> words, List<String> tags) {
    List<CharRange> ranges = new ArrayList<>(words.size());
    StringBuilder text = new StringBuilder();
    for (String word : words) {
      if (text.length() > 0) {
        text.append(' ');
      }
      ranges.add(new CharRange(text.length(), text.length() + word.length()));
      text.append(word);
    }
    return fromText(text.toString(), ranges, tags);
  }

  /**
   * For words found in a text: {@code words} are their places in {@code text} as Java
   * {@code String} (UTF-16) indices, such as a splitter reports them; the spans get code-point
   * offsets into the unchanged text.
   */
  public static SpanRecord fromText(String text, List<CharRange> words, List<String> tags) {
    if (words.size() != tags.size()) {
      throw new IllegalArgumentException(words.size() + " words but " + tags.size() + " tags");
    }
    CodePointIndex index = new CodePointIndex(text);
    List<CharSpan> spans = new ArrayList<>();
    for (WordRange entity : LabelScheme.decode(tags)) {
      int start = words.get(entity.start()).start();
      int end = words.get(entity.end() - 1).end();
      if (end > text.length() || start >= end) {
        throw new IllegalArgumentException("word offsets [" + start + ", " + end + ") do not fit the text");
      }
      spans.add(new CharSpan(index.fromUtf16(start, OffsetUnit.CODE_POINTS),
          index.fromUtf16(end, OffsetUnit.CODE_POINTS), entity.type()));
    }
    return new SpanRecord(text, spans);
  }

  /** An aligned document's entities over its original text (snapped spans get their new ends). */
  public static SpanRecord fromAligned(AlignedDocument document) {
    if (document.tags() == null) {
      throw new IllegalArgumentException(document.source() + ":" + document.line() + ": the document has no spans");
    }
    return fromText(document.text(), document.words(), document.tags());
  }
}
