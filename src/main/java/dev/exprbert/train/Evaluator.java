package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Batcher;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.data.Window;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.metrics.ClassificationReport;
import dev.exprbert.metrics.HfSeqevalReport;
import dev.exprbert.metrics.Mode;
import dev.exprbert.metrics.SeqevalAccumulator;
import dev.exprbert.metrics.SeqevalModes;
import dev.exprbert.metrics.ZeroDivision;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.runtime.Autocast;
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
 * scored with seqeval (the mode below) over the words. A word the tokenizer turns into nothing has no
 * position in run_ner's arrays, so it is left out of the scores too (and predicted as O / the first
 * label in {@link Evaluation#predictedTags}). Batches go to the model in the given {@link BatchLayout} (packed:
 * the same predictions and loss up to float rounding, no work on padding; needs the fused attention backend).
 *
 * <p>The loss is the run's ({@link TokenClassificationLoss}: class weights and label smoothing count in
 * {@code eval_loss} as they do in Hugging Face's {@code compute_loss}, which evaluation calls too); each batch's mean
 * divides by its {@link TokenClassificationLoss#denominator}. The seqeval mode follows the model's labels
 * ({@link SeqevalModes#forLabelSet}): strict IOBES or BILOU for those schemes, the default mode for BIO.
 *
 * <p>A model with a CRF ({@link EncoderForTokenClassification#crf()}) is decoded with Viterbi instead of a per-token
 * argmax: each sentence is one chain over its words' logits (each word's first sub-token, or every sub-token when the
 * CRF was trained with label_all_tokens), taken from the windows that own the words, so the tags of a long sentence
 * obey the constraints across its windows too; a word takes its first sub-token's tag. {@code eval_loss} is then the
 * chains' negative log-likelihood per labelled token ({@link CrfLoss}, {@link CrfDecoding}).
 *
 * <p>Sharded over the ranks of a data-parallel run: rank {@code r} runs batches {@code r, r + N, ...} of the same
 * sequential batches a single process runs, and every rank gathers every batch's loss sum (its exact bits) and
 * predictions; the metrics are then computed over the batches in order, exactly as one process computes them, on every
 * rank (so every rank takes the same best-model and early-stopping decisions).
 */
public final class Evaluator {
  private final EncoderForTokenClassification model;
  private final long padTokenId;
  private final List<LabeledSentence> sentences;
  private final List<Feature> features;
  private final int batchSize;
  private final BatchLayout layout;
  private final Autocast autocast;
  private final TokenClassificationLoss loss;
  private final Mode mode;
  private final DistributedContext context;

  /**
   * @param window how long sentences are cut ({@link Window#resolve})
   * @param layout padded or packed batches ({@link BatchLayout#forInference} for the model's backend)
   */
  public Evaluator(EncoderForTokenClassification model, ModelTokenizer tokenizer, List<LabeledSentence> sentences,
      boolean labelAllTokens, Window window, int batchSize, BatchLayout layout) {
    this(model, tokenizer, sentences, labelAllTokens, window, batchSize, layout, TokenClassificationLoss.PLAIN,
        Autocast.OFF, DistributedContext.single());
  }

  /**
   * @param loss the loss behind {@code eval_loss} (the run's class weights and label smoothing)
   * @param autocast the type the forward passes run in, as Hugging Face's evaluation loop runs under the training's
   *     {@code bf16} / {@code fp16} autocast
   * @param context the ranks the evaluation is sharded over (every rank must call {@link #run})
   */
  public Evaluator(EncoderForTokenClassification model, ModelTokenizer tokenizer, List<LabeledSentence> sentences,
      boolean labelAllTokens, Window window, int batchSize, BatchLayout layout, TokenClassificationLoss loss,
      Autocast autocast, DistributedContext context) {
    this.autocast = autocast;
    this.loss = loss;
    this.mode = SeqevalModes.forLabelSet(model.config().labels());
    this.context = context;
    this.layout = layout;
    this.model = model;
    this.padTokenId = tokenizer.padTokenId();
    this.sentences = List.copyOf(sentences);
    // a CRF's eval_loss runs over the chains it was trained on, whatever the caller labels
    boolean labelled = model.crf() != null ? model.crf().settings().everySubToken() : labelAllTokens;
    Featurizer featurizer = new Featurizer(tokenizer, LabelMap.ofLabels(model.config().labels()), labelled,
        window.maxSeqLength(), window.stride());
    this.features = featurizer.featurize(this.sentences, false).features();
    this.batchSize = batchSize;
    if (this.sentences.isEmpty()) {
      throw new IllegalArgumentException("the evaluation set is empty: there is nothing to evaluate");
    }
  }

  /**
   * The evaluator of a training run's settings: its window, batch size, layout ({@code padding_free}) and
   * {@code label_all_tokens}, over {@code sentences}.
   */
  static Evaluator of(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      List<LabeledSentence> sentences, TokenClassificationLoss loss, Autocast autocast,
      DistributedContext context) {
    Window window = Window.resolve(config.maxSeqLength(), config.stride(), model.config().maxSequenceLength(),
        tokenizer);
    BatchLayout layout = BatchLayout.forTraining(model.attention().implementation(), config.paddingFree());
    return new Evaluator(model, tokenizer, sentences, config.labelAllTokens(), window, config.perDeviceEvalBatchSize(),
        layout, loss, autocast, context);
  }

  /** The seqeval mode the predictions are scored in. */
  public Mode mode() {
    return mode;
  }

  public int sentenceCount() {
    return sentences.size();
  }

  /** The evaluation features (windows of the sentences), in order. */
  public List<Feature> features() {
    return features;
  }

  /** Runs the evaluation; {@code prefix} is Trainer's metric_key_prefix ("eval"). */
  public Evaluation run(String prefix, boolean entityLevelMetrics) {
    long start = System.nanoTime();
    List<List<Feature>> batches = Batcher.sequential(features, batchSize).epoch(0);
    long[] mine;
    int perToken = model.crf() == null ? 1 : model.config().numLabels(); // a prediction, or the CRF's emission row
    boolean wasTraining = model.isTraining();
    model.train(false);
    try {
      mine = runShard(batches);
    } finally {
      model.train(wasTraining);
    }
    double[] lossSums = new double[batches.size()];
    double[] denominators = new double[batches.size()];
    List<List<long[]>> predictions = new ArrayList<>(java.util.Collections.nCopies(batches.size(), null));
    for (long[] shard : context.allGather(mine, "the gathering of evaluation predictions")) {
      for (int at = 0; at < shard.length; ) {
        int b = (int) shard[at++];
        lossSums[b] = Double.longBitsToDouble(shard[at++]);
        denominators[b] = Double.longBitsToDouble(shard[at++]);
        int n = (int) shard[at++];
        List<long[]> rows = new ArrayList<>(n);
        for (int f = 0; f < n; f++) {
          int width = (int) shard[at++] * perToken;
          rows.add(Arrays.copyOfRange(shard, at, at + width));
          at += width;
        }
        predictions.set(b, rows);
      }
    }
    List<long[]> tokenPredictions = new ArrayList<>(features.size());
    double weightedLoss = 0;
    long lossSamples = 0;
    for (int b = 0; b < batches.size(); b++) {
      if (denominators[b] > 0) {
        weightedLoss += lossSums[b] / denominators[b] * batches.get(b).size();
        lossSamples += batches.get(b).size();
      }
      tokenPredictions.addAll(predictions.get(b));
    }
    int batchCount = batches.size();
    int[] wordCounts = sentences.stream().mapToInt(LabeledSentence::size).toArray();
    List<int[]> wordIds = model.crf() == null ? Featurizer.mergeWordPredictions(features, tokenPredictions, wordCounts)
        : CrfDecoding.wordPredictions(model.crf(), features, tokenPredictions, wordCounts);
    List<String> labels = model.config().labels();
    String fallback = labels.contains("O") ? "O" : labels.get(0);
    SeqevalAccumulator seqeval = new SeqevalAccumulator(mode);
    List<List<String>> predicted = new ArrayList<>(sentences.size());
    List<List<String>> scored = new ArrayList<>(sentences.size());
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
      scored.add(pred);
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
    metrics.put(prefix + "_steps_per_second", Math.round(batchCount / runtime * 1000) / 1000.0);
    return new Evaluation(metrics, report, table, sentences, predicted, scored);
  }

  /**
   * This rank's batches (every N-th), each as {@code [batch index, loss sum bits, loss denominator bits, features, then per
   * feature its length and the predicted label id of each token]} (with a CRF, each token's emission row as float bits
   * instead of its label id: the sentence is decoded once every window's rows are in).
   */
  private long[] runShard(List<List<Feature>> batches) {
    List<long[]> parts = new ArrayList<>();
    int size = 0;
    for (int b = context.rank(); b < batches.size(); b += context.worldSize()) {
      List<Feature> batchFeatures = batches.get(b);
      try (PointerScope scope = new PointerScope(); ModelBatch batch = layout.batchOf(batchFeatures, padTokenId);
          Autocast.Scope inAutocast = autocast.enter()) {
        Tensor logits = batch.logits(model);
        // the mean divides by the labelled tokens' class weights (their count without weights)
        double denominator = 0;
        for (Feature f : batchFeatures) {
          denominator += f.encoding().hasLabels() ? loss.denominator(f.encoding().labelIds()) : 0;
        }
        LinearChainCrf crf = model.crf();
        double lossSum = denominator <= 0 ? 0 : HostReads.toDouble(crf != null
            ? CrfLoss.summed(crf, logits, batch, batchFeatures) : loss.summed(logits, batch.labels()));
        int labels = model.config().numLabels();
        long[] best = crf != null ? CrfDecoding.emissionBits(logits)
            : Tensors.toLongArray(logits.argmax(new LongOptional(logits.dim() - 1), false));
        long[] head = {b, Double.doubleToRawLongBits(lossSum), Double.doubleToRawLongBits(denominator),
            batchFeatures.size()};
        parts.add(head);
        size += head.length;
        for (int f = 0; f < batchFeatures.size(); f++) {
          int perToken = crf != null ? labels : 1;
          int at = batch.rowOf(f) * perToken;
          int length = batchFeatures.get(f).length();
          long[] row = new long[1 + length * perToken];
          row[0] = length;
          System.arraycopy(best, at, row, 1, length * perToken);
          parts.add(row);
          size += row.length;
        }
      }
    }
    long[] out = new long[size];
    int at = 0;
    for (long[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  static double round4(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
