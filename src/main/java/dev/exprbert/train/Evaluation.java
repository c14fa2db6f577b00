package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.metrics.ClassificationReport;
import dev.exprbert.metrics.HfSeqevalReport;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One evaluation: the metrics as the Trainer logs them ({@code eval_loss}, {@code eval_precision},
 * {@code eval_recall}, {@code eval_f1}, {@code eval_accuracy}, per-type keys when asked,
 * {@code eval_runtime}, {@code eval_samples_per_second}, {@code eval_steps_per_second}), seqeval's
 * report in the {@code evaluate} wrapper's shape, the per-type table, and one predicted tag per word.
 *
 * @param predictedTags per sentence, one tag per word (a word with no sub-token gets the default label)
 * @param scoredTags per sentence, the predicted tags seqeval scored: those of the words that have a sub-token (what
 *     run_ner's {@code true_predictions} hold, and its {@code predictions.txt} prints)
 */
public record Evaluation(LinkedHashMap<String, Double> metrics, HfSeqevalReport report, ClassificationReport table,
    List<LabeledSentence> sentences, List<List<String>> predictedTags, List<List<String>> scoredTags) {

  public double metric(String key) {
    Double v = metrics.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no metric '" + key + "' in this evaluation; it has " + metrics.keySet());
    }
    return v;
  }
}
