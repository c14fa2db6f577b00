package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReader;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.spans.SpanOptions;
import dev.exprbert.data.spans.SpanSentenceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a run reads its data files: the reader options its settings make (run_ner's column names, the span settings)
 * and the first {@code max_*_samples} records of a file.
 */
final class TrainingData {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);

  private TrainingData() {}

  /**
   * The options of every data file of a run: {@code text_column_name} names JSON Lines' word field and span files'
   * text field; {@code label_column_name} names JSON Lines' tag field (default {@code <task_name>_tags} for a task
   * other than ner, else the readers' {@code ner_tags}, then {@code ner}) and span JSON Lines' span list; the span
   * settings say how character offsets become tags. Tags are required (training, evaluation and run_ner's
   * prediction all score against them).
   */
  static ReaderOptions readerOptions(TrainingConfig config) {
    String tags = config.labelColumnName();
    if (tags == null && !config.taskName().equalsIgnoreCase("ner")) {
      tags = config.taskName().toLowerCase(java.util.Locale.ROOT) + "_tags";
    }
    SpanOptions spans = SpanOptions.DEFAULTS.withLabelScheme(config.labelScheme())
        .withOnMisaligned(config.onMisaligned()).withOverlaps(config.overlaps()).withOffsetUnit(config.offsetUnit())
        .withTextField(config.textColumnName()).withSpansField(config.labelColumnName());
    return ReaderOptions.builder().tokensField(config.textColumnName()).tagsField(tags).spans(spans).build();
  }

  /**
   * The first {@code limit} sentences (documents, for span files) of {@code file}, or all of them when
   * {@code limit} is null, as run_ner's {@code select(range(max_samples))}. A span file's misalignment summary is
   * logged.
   *
   * @param setting the setting that named the file, for messages ({@code train_file})
   */
  static List<LabeledSentence> read(String setting, Path file, ReaderOptions options, Integer limit) {
    List<LabeledSentence> sentences = new ArrayList<>();
    try (SentenceReader reader = SentenceReaders.open(file, options)) {
      while ((limit == null || sentences.size() < limit) && reader.hasNext()) {
        sentences.add(reader.next());
      }
      if (reader instanceof SpanSentenceReader spans) {
        LOG.info("{} {}: {}", setting, file, spans.report().summary());
      }
    }
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException(setting + " " + file + " holds no sentence");
    }
    return sentences;
  }
}
