package dev.exprbert.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.exprbert.infer.Span;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Word;

/**
 * The JSON of one tagged sentence, shared by {@code predict --output-format jsonl} and {@code serve}: {@code text},
 * {@code words}, {@code offsets} ([start, end) of each word in {@code text}), {@code tags} and {@code spans} (type,
 * start, end, text, score, start_word, end_word; offsets are UTF-16 indices into {@code text}, end exclusive).
 */
public final class TaggedSentenceJson {
  private TaggedSentenceJson() {}

  public static JsonObject of(TaggedSentence sentence) {
    JsonObject o = new JsonObject();
    o.addProperty("text", sentence.text());
    JsonArray words = new JsonArray();
    JsonArray offsets = new JsonArray();
    for (Word w : sentence.words()) {
      words.add(w.text());
      JsonArray at = new JsonArray();
      at.add(w.start());
      at.add(w.end());
      offsets.add(at);
    }
    o.add("words", words);
    o.add("offsets", offsets);
    JsonArray tags = new JsonArray();
    sentence.tags().forEach(tags::add);
    o.add("tags", tags);
    JsonArray spans = new JsonArray();
    for (Span s : sentence.spans()) {
      JsonObject span = new JsonObject();
      span.addProperty("type", s.type());
      span.addProperty("start", s.startChar());
      span.addProperty("end", s.endChar());
      span.addProperty("text", s.text());
      span.addProperty("score", s.score());
      span.addProperty("start_word", s.startWord());
      span.addProperty("end_word", s.endWord());
      spans.add(span);
    }
    o.add("spans", spans);
    return o;
  }
}
