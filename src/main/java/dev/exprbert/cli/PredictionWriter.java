package dev.exprbert.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.exprbert.data.spans.CharRange;
import dev.exprbert.data.spans.LabelScheme;
import dev.exprbert.data.spans.SpanRecords;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Word;
import dev.exprbert.serve.TaggedSentenceJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
   * One span JSON Lines record per input text or sentence, the schema {@code train}, {@code evaluate} and
   * {@code convert-data} read and spaCy, Prodigy and doccano import: {@code {"text", "spans": [{"start", "end",
   * "label", "text"}]}}, offsets in code points of the text (for pre-split words, the words joined by single spaces).
   * The entities are the word tags read leniently ({@link LabelScheme#decode}).
   */
  SPANS {
    @Override
    void write(TaggedSentence sentence, PrintWriter out) {
      List<CharRange> words = new ArrayList<>(sentence.words().size());
      for (Word word : sentence.words()) {
        words.add(new CharRange(word.start(), word.end()));
      }
      out.println(SpanRecords.fromText(sentence.text(), words, sentence.tags()).toJson());
    }

    /** A tag that {@link LabelScheme#decode} cannot read would stop the output half way, so it is refused first. */
    @Override
    void checkLabels(List<String> labels) {
      for (String label : labels) {
        try {
          LabelScheme.decode(List.of(label));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--output-format spans needs O or prefixed labels (B-, I-, E-, S-, L-, U-"
              + " and a type); the model has \"" + label + "\"");
        }
      }
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

  /** Refuses, before any output, a model whose labels this format cannot write. */
  void checkLabels(List<String> labels) {}

  static PredictionWriter parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "conll" -> CONLL;
      case "jsonl" -> JSONL;
      case "spans" -> SPANS;
      default -> throw new IllegalArgumentException("unknown --output-format \"" + name
          + "\": expected conll, jsonl or spans");
    };
  }
}
