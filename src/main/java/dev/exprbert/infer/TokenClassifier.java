package dev.exprbert.infer;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.PaddedBatch;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.BertConfig;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionBackend;
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
 * try (TokenClassifier tagger = TokenClassifier.load(Path.of("my-model"), Placement.CPU_FLOAT32, "sdpa")) {
 *   List<List<String>> tags = tagger.predictTags(List.of(List.of("We", "met", "on", "Monday")));
 * }
 * }</pre>
 */
public final class TokenClassifier implements AutoCloseable {
  private final BertForTokenClassification model;
  private final ModelTokenizer tokenizer;
  private final SubwordAligner aligner;
  private final String defaultLabel;

  public TokenClassifier(BertForTokenClassification model, ModelTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.aligner = new SubwordAligner(tokenizer, null, false);
    List<String> labels = model.config().labels();
    this.defaultLabel = labels.contains("O") ? "O" : labels.get(0);
  }

  /** Loads config.json, the weights and the tokenizer of {@code dir} onto {@code placement}. */
  public static TokenClassifier load(Path dir, Placement placement, String attention) throws IOException {
    Natives.init();
    BertConfig config = ModelDirectory.readConfig(dir);
    Map<String, Tensor> checkpoint = ModelDirectory.readWeights(dir);
    CheckpointLoader.Loaded loaded;
    try {
      loaded = CheckpointLoader.load(config, checkpoint, placement, 42, false, dir.toString());
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
    BertForTokenClassification model =
        new BertForTokenClassification(config, loaded.weights(), placement, AttentionBackend.named(attention));
    try {
      return new TokenClassifier(model, TokenizerLoader.load(dir));
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public BertForTokenClassification model() {
    return model;
  }

  public ModelTokenizer tokenizer() {
    return tokenizer;
  }

  public BertConfig config() {
    return model.config();
  }

  /**
   * One tag per word for each pre-split sentence, from the first sub-token of each word (Hugging
   * Face's run_ner convention). A word the tokenizer turns into no sub-token gets the default label
   * ("O" when the label set has it).
   */
  public List<List<String>> predictTags(List<List<String>> sentences) {
    return predictTags(sentences, 32);
  }

  public List<List<String>> predictTags(List<List<String>> sentences, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    boolean wasTraining = model.isTraining();
    model.train(false);
    List<List<String>> out = new ArrayList<>(sentences.size());
    try {
      for (int start = 0; start < sentences.size(); start += batchSize) {
        List<AlignedSentence> aligned = new ArrayList<>();
        for (int i = start; i < Math.min(sentences.size(), start + batchSize); i++) {
          AlignedSentence s = aligner.align(sentences.get(i));
          if (s.exceedsLength(config().maxPositionEmbeddings())) {
            throw new IllegalArgumentException("sentence " + (i + 1) + " has " + s.length() + " sub-tokens, more than"
                + " max_position_embeddings " + config().maxPositionEmbeddings() + "; split it into shorter sentences");
          }
          aligned.add(s);
        }
        out.addAll(tagBatch(aligned));
      }
    } finally {
      model.train(wasTraining);
    }
    return out;
  }

  private List<List<String>> tagBatch(List<AlignedSentence> aligned) {
    List<List<String>> out = new ArrayList<>(aligned.size());
    try (PaddedBatch batch = new PaddedBatch(aligned, tokenizer.padTokenId());
        Tensor logits = model.logits(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds());
        LongOptional lastDim = new LongOptional(2);
        Tensor best = logits.argmax(lastDim, false)) {
      long[] ids = Tensors.toLongArray(best);
      long seq = batch.seqLength();
      List<String> labels = config().labels();
      for (int b = 0; b < aligned.size(); b++) {
        AlignedSentence s = aligned.get(b);
        List<String> tags = new ArrayList<>(s.wordCount());
        for (int w = 0; w < s.wordCount(); w++) {
          tags.add(s.isEmptyWord(w) ? defaultLabel : labels.get((int) ids[(int) (b * seq + s.wordStart(w))]));
        }
        out.add(tags);
      }
    }
    return out;
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
