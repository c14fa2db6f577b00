package dev.exprbert.data.spans;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import java.nio.file.Path;
import java.util.List;

/**
 * Real-looking span data made at test time from the OpeNER English CoNLL files in ../shared (they
 * may be read by tests but not copied into the repository): each sentence's words joined by single
 * spaces are a document, its EXPR/TARGET/HOLDER chunks are spans.
 */
final class OpenerSample {
  static final Path FULL_DEV = Path.of("../shared/data/semeval22-opener_en/full/dev.conll");

  private OpenerSample() {}

  static List<LabeledSentence> sentences(int count) {
    List<LabeledSentence> all = SentenceReaders.readAll(FULL_DEV, ReaderOptions.DEFAULTS);
    return all.subList(0, Math.min(count, all.size()));
  }

  /** The document text of a sentence and its spans in code points. */
  static SpanRecord record(LabeledSentence sentence) {
    return SpanRecords.fromWords(sentence.words(), sentence.tags());
  }
}
