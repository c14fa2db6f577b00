package dev.exprbert.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.exprbert.infer.Span;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Word;
import java.io.PrintWriter;
import java.util.Locale;

/** How {@code exprbert predict} prints tagged sentences. */
enum PredictionWriter {
  /** {@code word<TAB>tag} per word, a blank line after each sentence (a text with no words prints nothing). */
  CONLL {
    @Override
    void write(TaggedSentence sentence, PrintWriter out) {
      if (sentence.words().isEmpty()) {
        return;
      }
      for (int w = 0; w < sentence.words().size(); w++) {
        out.println(sentence.words().get(w).text() + "\t" + sentence.tags().get(w));
      }
      out.println();
    }
  },
  /**
   * One JSON object per sentence: {@code text}, {@code words}, {@code offsets} ([start, end) of each word
   * in {@code text}), {@code tags} and {@code spans} (type, start, end, text, score, start_word, end_word;
   * offsets are UTF-16 indices into {@code text}, end exclusive).
   */
  JSONL {
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();

    @Override
    void write(TaggedSentence sentence, PrintWriter out) {
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
      out.println(gson.toJson(o));
    }
  };

  abstract void write(TaggedSentence sentence, PrintWriter out);

  static PredictionWriter parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "conll" -> CONLL;
      case "jsonl" -> JSONL;
      default -> throw new IllegalArgumentException("unknown --output-format \"" + name + "\": expected conll or jsonl");
    };
  }
}
