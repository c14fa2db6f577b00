package dev.exprbert.data;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes sentences of words and tags in the two token formats the readers read back: CoNLL
 * ({@code word<TAB>tag}, a blank line after each sentence) and JSON Lines ({@code {"tokens": [...],
 * "ner_tags": [...]}}). Sentences must carry tags.
 */
public final class SentenceWriters {
  private SentenceWriters() {}

  /**
   * One CoNLL sentence.
   *
   * @throws IllegalArgumentException for a word holding whitespace, which columns cannot carry
   */
  public static void writeConll(LabeledSentence sentence, Appendable out) {
    requireTags(sentence);
    try {
      for (int i = 0; i < sentence.size(); i++) {
        String word = sentence.words().get(i);
        for (int c = 0; c < word.length(); c++) {
          if (Character.isWhitespace(word.charAt(c))) {
            throw new IllegalArgumentException(sentence.location() + ": word " + i + " "
                + InputFormatException.quote(word) + " holds whitespace, which CoNLL columns cannot carry;"
                + " write JSON Lines instead");
          }
        }
        out.append(word).append('\t').append(sentence.tags().get(i)).append('\n');
      }
      out.append('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One JSON Lines record: {@code {"tokens": [...], "ner_tags": [...]}} and a newline. */
  public static void writeJsonl(LabeledSentence sentence, Appendable out) {
    requireTags(sentence);
    StringWriter buffer = new StringWriter();
    try (JsonWriter json = new JsonWriter(buffer)) {
      json.setHtmlSafe(false);
      json.beginObject();
      json.name("tokens").beginArray();
      for (String word : sentence.words()) {
        json.value(word);
      }
      json.endArray();
      json.name("ner_tags").beginArray();
      for (String tag : sentence.tags()) {
        json.value(tag);
      }
      json.endArray();
      json.endObject();
      out.append(buffer.toString()).append('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireTags(LabeledSentence sentence) {
    if (!sentence.hasTags()) {
      throw new IllegalArgumentException(sentence.location() + ": the sentence has no tags to write");
    }
  }
}
