package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Batcher;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.data.Window;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.metrics.ClassificationReport;
import dev.exprbert.metrics.HfSeqevalReport;
import dev.exprbert.metrics.Mode;
import dev.exprbert.metrics.SeqevalAccumulator;
import dev.exprbert.metrics.ZeroDivision;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * Hugging Face's evaluation loop for token classification, with run_ner's {@code compute_metrics}:
 * the model in eval mode over sequential batches; {@code eval_loss} is the mean of the per-batch mean
 * losses weighted by batch size (what {@code Trainer.evaluation_loop} computes); predictions are taken at
 * each word's first sub-token, windows of long sentences merged so every word is predicted once, and
 * scored with seqeval's default mode over the words. A word the tokenizer turns into nothing has no
 * position in run_ner's arrays, so it is left out of the scores too (and predicted as O / the first
 * label in {@link Evaluation#predictedTags}). Batches go to the model in the given {@link BatchLayout} (packed:
 * the same predictions and loss up to float rounding, no work on padding; needs the fused attention backend).
 */
public final class Evaluator {
  private final EncoderForTokenClassification model;
  private final long padTokenId;
  private final List<LabeledSentence> sentences;
  private final List<Feature> features;
  private final int batchSize;
  private final BatchLayout layout;

  /**
   * @param window how long sentences are cut ({@link Window#resolve})
   * @param layout padded or packed batches ({@link BatchLayout#forInference} for the model's backend)
   */
  public Evaluator(EncoderForTokenClassification model, ModelTokenizer tokenizer, List<LabeledSentence> sentences,
      boolean labelAllTokens, Window window, int batchSize, BatchLayout layout) {
    this.layout = layout;
    this.model = model;
    this.padTokenId = tokenizer.padTokenId();
    this.sentences = List.copyOf(sentences);
    Featurizer featurizer = new Featurizer(tokenizer, LabelMap.ofLabels(model.config().labels()), labelAllTokens,
        window.maxSeqLength(), window.stride());
    this.features = featurizer.featurize(this.sentences, false).features();
    this.batchSize = batchSize;
    if (this.sentences.isEmpty()) {
      throw new IllegalArgumentException("the evaluation set is empty: there is nothing to evaluate");
    }
  }

  public int sentenceCount() {
    return sentences.size();
  }

  /** Runs the evaluation; {@code prefix} is Trainer's metric_key_prefix ("eval"). */
  public Evaluation run(String prefix, boolean entityLevelMetrics) {
    long start = System.nanoTime();
    boolean wasTraining = model.isTraining();
    model.train(false);
    List<long[]> tokenPredictions = new ArrayList<>(features.size());
    double weightedLoss = 0;
    long lossSamples = 0;
    int batches = 0;
    try {
      for (List<Feature> batchFeatures : Batcher.sequential(features, batchSize).epoch(0)) {
        batches++;
        try (PointerScope scope = new PointerScope(); ModelBatch batch = layout.batchOf(batchFeatures, padTokenId)) {
          Tensor logits = batch.logits(model);
          long labelled = batch.labelledTokens();
          if (labelled > 0) {
            double lossSum = HostReads.toDouble(TokenClassificationLoss.sum(logits, batch.labels()));
            weightedLoss += lossSum / labelled * batchFeatures.size();
            lossSamples += batchFeatures.size();
          }
          long[] best = Tensors.toLongArray(logits.argmax(new LongOptional(logits.dim() - 1), false));
          for (int b = 0; b < batchFeatures.size(); b++) {
            int at = batch.rowOf(b);
            tokenPredictions.add(Arrays.copyOfRange(best, at, at + batchFeatures.get(b).length()));
          }
        }
      }
    } finally {
      model.train(wasTraining);
    }
    int[] wordCounts = sentences.stream().mapToInt(LabeledSentence::size).toArray();
    List<int[]> wordIds = Featurizer.mergeWordPredictions(features, tokenPredictions, wordCounts);
    List<String> labels = model.config().labels();
    String fallback = labels.contains("O") ? "O" : labels.get(0);
    SeqevalAccumulator seqeval = new SeqevalAccumulator(Mode.DEFAULT);
    List<List<String>> predicted = new ArrayList<>(sentences.size());
    for (int s = 0; s < sentences.size(); s++) {
      int[] ids = wordIds.get(s);
      List<String> gold = new ArrayList<>();
      List<String> pred = new ArrayList<>();
      List<String> all = new ArrayList<>(ids.length);
      for (int w = 0; w < ids.length; w++) {
        if (ids[w] < 0) {
          all.add(fallback);
          continue;
        }
        all.add(labels.get(ids[w]));
        gold.add(sentences.get(s).tags().get(w));
        pred.add(labels.get(ids[w]));
      }
      seqeval.add(gold, pred);
      predicted.add(all);
    }
    ClassificationReport table = seqeval.classificationReport(ZeroDivision.WARN);
    HfSeqevalReport report = HfSeqevalReport.of(table, seqeval.accuracy());
    double runtime = (System.nanoTime() - start) / 1e9;
    LinkedHashMap<String, Double> metrics = new LinkedHashMap<>();
    metrics.put(prefix + "_loss", lossSamples > 0 ? weightedLoss / lossSamples : Double.NaN);
    for (Map.Entry<String, Number> e : report.prefixed(prefix, entityLevelMetrics).entrySet()) {
      metrics.put(e.getKey(), e.getValue().doubleValue());
    }
    metrics.put(prefix + "_runtime", round4(runtime));
    metrics.put(prefix + "_samples_per_second", Math.round(sentences.size() / runtime * 1000) / 1000.0);
    metrics.put(prefix + "_steps_per_second", Math.round(batches / runtime * 1000) / 1000.0);
    return new Evaluation(metrics, report, table, sentences, predicted);
  }

  static double round4(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
