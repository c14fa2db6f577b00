package dev.exprbert.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.serve.TaggedSentenceJson;
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
  /** One JSON object per sentence, the schema of {@link TaggedSentenceJson} (which {@code serve} answers with too). */
  JSONL {
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();

    @Override
    void write(TaggedSentence sentence, PrintWriter out) {
      out.println(gson.toJson(TaggedSentenceJson.of(sentence)));
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
