package dev.exprbert.infer;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.io.BackgroundTokenizer;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.crf.ViterbiDecoder;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * A token classifier with its tokenizer, loaded from (and saved to) a Hugging Face model directory:
 * the library's entry point. Owns the model and the tokenizer; close it to free native memory.
 *
 * <pre>{@code
 * try (TokenClassifier tagger = TokenClassifier.load(Path.of("my-model"), Placement.CPU_FLOAT32,
 *     AttentionImplementation.SDPA)) {
 *   List<List<String>> tags = tagger.predictTags(List.of(List.of("We", "met", "on", "Monday")));
 * }
 * }</pre>
 *
 * <p>Safe for concurrent callers: tokenization runs in the caller's thread, and every forward pass holds
 * one lock, because the model's train/eval flag is shared state and LibTorch already spreads one forward
 * over all cores (intra-op threads), so parallel forwards would only compete for them.
 */
public final class TokenClassifier implements AutoCloseable, WindowScorer {
  private final Object forwardLock = new Object();
  private final EncoderForTokenClassification model;
  private final ModelTokenizer tokenizer;
  private final SubwordAligner aligner;
  private final String defaultLabel;

  public TokenClassifier(EncoderForTokenClassification model, ModelTokenizer tokenizer) {
    ModelDirectory.requireTokenizerFits(model.config(), tokenizer);
    ModelDirectory.requireTokenizerMatches(model.config(), tokenizer);
    this.model = model;
    this.tokenizer = tokenizer;
    this.aligner = new SubwordAligner(tokenizer, null, false);
    List<String> labels = model.config().labels();
    this.defaultLabel = labels.contains("O") ? "O" : labels.get(0);
  }

  /** {@link #load(Path, Placement, AttentionImplementation)} with the backend by name (eager, sdpa or fused). */
  public static TokenClassifier load(Path dir, Placement placement, String attention) throws IOException {
    return load(dir, placement, attention == null ? null : AttentionImplementation.parse(attention));
  }

  /**
   * Loads config.json, the weights and the tokenizer of {@code dir} onto {@code placement}, with the {@code attention}
   * backend, or (null) the fastest the model's family supports ({@link AttentionImplementation#fastest}).
   */
  public static TokenClassifier load(Path dir, Placement placement, AttentionImplementation attention) throws IOException {
    Natives.prepareEnvironment(); // before another thread starts a native library ([note: environment first])
    try (BackgroundTokenizer tokenizer = BackgroundTokenizer.start(dir)) { // meanwhile: LibTorch and the weights
      Natives.init();
      EncoderConfig config = ModelDirectory.readConfig(dir);
      Map<String, Tensor> checkpoint = ModelDirectory.readWeights(dir);
      CheckpointLoader.Loaded loaded;
      try {
        loaded = CheckpointLoader.load(config, checkpoint, placement, 42, false, ModelDirectory.weightsFile(dir).toString());
      } finally {
        checkpoint.values().forEach(Tensor::close);
      }
      EncoderForTokenClassification model =
          new EncoderForTokenClassification(config, loaded.weights(), placement,
              (attention != null ? attention : AttentionImplementation.fastest(config.family().attentionImplementations()))
                  .create());
      try {
        return new TokenClassifier(model, tokenizer.take());
      } catch (IOException | RuntimeException e) {
        model.close();
        throw e;
      }
    }
  }

  public EncoderForTokenClassification model() {
    return model;
  }

  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  public EncoderConfig config() {
    return model.config();
  }

  /**
   * One tag per word for each pre-split sentence, from the first sub-token of each word (Hugging
   * Face's run_ner convention). A word the tokenizer turns into no sub-token gets the default label
   * ("O" when the label set has it). A model with a CRF decodes each sentence with Viterbi under its constraints
   * ({@link ViterbiDecoder#decodeWords}) instead of taking each word's argmax.
   */
  public List<List<String>> predictTags(List<List<String>> sentences) {
    return predictTags(sentences, 32);
  }

  public List<List<String>> predictTags(List<List<String>> sentences, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    List<List<String>> out = new ArrayList<>(sentences.size());
    for (int start = 0; start < sentences.size(); start += batchSize) {
      List<AlignedSentence> aligned = new ArrayList<>();
      for (int i = start; i < Math.min(sentences.size(), start + batchSize); i++) {
        AlignedSentence s = aligner.align(sentences.get(i));
        if (s.exceedsLength(config().maxSequenceLength())) {
          throw new IllegalArgumentException("sentence " + (i + 1) + " has " + s.length() + " sub-tokens, more than"
              + " the model's " + config().maxSequenceLength() + "; split it into shorter sentences"
              + " or use Tagger, which windows long sentences");
        }
        aligned.add(s);
      }
      out.addAll(tagBatch(aligned));
    }
    return out;
  }

  /** The label for words that have no sub-token: "O" when the model has it, else its first label. */
  public String defaultLabel() {
    return defaultLabel;
  }

  /**
   * Label probabilities (softmax of the logits, computed in double from float32 logits) at every sub-token
   * of each encoded sentence: one {@code [length][num_labels]} table per sentence, padding left out. One
   * forward pass over the batch (packed with fused attention, padded otherwise), in eval mode, under the
   * forward lock.
   */
  @Override
  public List<float[][]> tokenProbabilities(List<AlignedSentence> batchSentences) {
    if (batchSentences == null || batchSentences.isEmpty()) {
      throw new IllegalArgumentException("tokenProbabilities needs at least one encoded sentence");
    }
    int labels = config().labels().size();
    float[] flat;
    int[] starts;
    try (Logits logits = forward(batchSentences)) {
      flat = Tensors.toFloatArray(logits.values()); // a float32 CPU copy whatever the model's precision
      starts = logits.starts();
    }
    List<float[][]> out = new ArrayList<>(batchSentences.size());
    for (int b = 0; b < batchSentences.size(); b++) {
      int length = batchSentences.get(b).length();
      float[][] rows = new float[length][];
      for (int t = 0; t < length; t++) {
        rows[t] = softmax(flat, (starts[b] + t) * labels, labels);
      }
      out.add(rows);
    }
    return out;
  }

  /**
   * Probabilities of the {@code n} logits at {@code offset}, computed in double from float32 logits (max-shifted). Public
   * so that another runtime's logits (ONNX Runtime in the serving benchmark) become the same probabilities.
   */
  public static float[] softmax(float[] logits, int offset, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = Math.exp(logits[offset + i] - max);
      sum += e[i];
    }
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  /**
   * Eval-mode logits of a batch, as rows: sentence b's token t is row {@code starts[b] + t} of {@code values}
   * ([rows, num_labels] after flattening). Owns {@code values}.
   */
  private record Logits(Tensor values, int[] starts) implements AutoCloseable {
    @Override
    public void close() {
      values.close();
    }
  }

  /**
   * Eval-mode logits of {@code sentences}, batched the way the model's attention backend takes them
   * ({@link BatchLayout#forInference}: packed with no padding work for fused, padded otherwise); both give the same
   * logits up to float rounding.
   */
  private Logits forward(List<AlignedSentence> sentences) {
    BatchLayout layout = BatchLayout.forInference(model.attention().implementation());
    synchronized (forwardLock) {
      boolean wasTraining = model.isTraining();
      model.train(false);
      try (ModelBatch batch = layout.batch(sentences, tokenizer.padTokenId())) {
        int[] starts = new int[sentences.size()];
        for (int b = 0; b < starts.length; b++) {
          starts[b] = batch.rowOf(b);
        }
        return new Logits(batch.logits(model), starts);
      } finally {
        model.train(wasTraining);
      }
    }
  }

  private List<List<String>> tagBatch(List<AlignedSentence> aligned) {
    if (model.crf() != null) {
      return viterbiTags(aligned);
    }
    List<List<String>> out = new ArrayList<>(aligned.size());
    try (Logits logits = forward(aligned);
        LongOptional lastDim = new LongOptional(logits.values().dim() - 1);
        Tensor best = logits.values().argmax(lastDim, false)) {
      long[] ids = Tensors.toLongArray(best);
      int[] starts = logits.starts();
      List<String> labels = config().labels();
      for (int b = 0; b < aligned.size(); b++) {
        AlignedSentence s = aligned.get(b);
        List<String> tags = new ArrayList<>(s.wordCount());
        for (int w = 0; w < s.wordCount(); w++) {
          tags.add(s.isEmptyWord(w) ? defaultLabel : labels.get((int) ids[starts[b] + s.wordStart(w)]));
        }
        out.add(tags);
      }
    }
    return out;
  }

  /** The CRF's tags: each sentence's logits (one read per batch) decoded with Viterbi, word by word. */
  private List<List<String>> viterbiTags(List<AlignedSentence> aligned) {
    int labels = config().numLabels();
    float[] flat;
    int[] starts;
    try (Logits logits = forward(aligned)) {
      flat = Tensors.toFloatArray(logits.values());
      starts = logits.starts();
    }
    ViterbiDecoder decoder = crfDecoder();
    List<List<String>> out = new ArrayList<>(aligned.size());
    for (int b = 0; b < aligned.size(); b++) {
      AlignedSentence s = aligned.get(b);
      float[][][] pieces = new float[s.wordCount()][][];
      for (int w = 0; w < pieces.length; w++) {
        pieces[w] = new float[s.wordEnd(w) - s.wordStart(w)][];
        for (int k = 0; k < pieces[w].length; k++) {
          int row = starts[b] + s.wordStart(w) + k;
          pieces[w][k] = java.util.Arrays.copyOfRange(flat, row * labels, (row + 1) * labels);
        }
      }
      int[] ids = decoder.decodeWords(pieces);
      List<String> tags = new ArrayList<>(ids.length);
      for (int id : ids) {
        tags.add(id < 0 ? defaultLabel : config().labels().get(id));
      }
      out.add(tags);
    }
    return out;
  }

  /**
   * The CRF's Viterbi decoder with the model's current scores (one read), or null when the model has no CRF; the
   * {@link Tagger} decodes its merged windows with it. Takes no lock: inference never writes the scores, and a caller
   * must not wait here behind another caller's forward pass.
   */
  public ViterbiDecoder crfDecoder() {
    return model.crf() == null ? null : model.crf().decoder();
  }

  /** Writes config.json, model.safetensors and the tokenizer files into {@code dir}. */
  public void save(Path dir) throws IOException {
    ModelDirectory.save(dir, model.config(), model.weights().asMap());
    tokenizer.save(dir);
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
