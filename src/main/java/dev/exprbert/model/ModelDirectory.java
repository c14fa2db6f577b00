package dev.exprbert.model;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.PytorchBin;
import dev.exprbert.io.Safetensors;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A Hugging Face model directory: {@code config.json} plus {@code model.safetensors} (or a
 * {@code pytorch_model.bin}, read in Java without executing code: {@link PytorchBin}). Tokenizer files are
 * handled by {@link dev.exprbert.io.TokenizerLoader}.
 */
public final class ModelDirectory {
  public static final String CONFIG = "config.json";
  public static final String SAFETENSORS = "model.safetensors";
  public static final String PYTORCH_BIN = "pytorch_model.bin";
  /** System property that accepts a tokenizer of another kind than the family's ({@link #requireTokenizerMatches}). */
  public static final String ANY_TOKENIZER_PROPERTY = "exprbert.tokenizer.anyKind";

  private ModelDirectory() {}

  /** The config.json of {@code dir}, read by the family its model_type names ({@link ModelConfigs}). */
  public static EncoderConfig readConfig(Path dir) throws IOException {
    Path config = dir.resolve(CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new NoSuchFileException(config.toString(), null,
          "not a Hugging Face model directory: " + CONFIG + " is missing in " + dir.toAbsolutePath());
    }
    return ModelConfigs.read(config);
  }

  /** The checkpoint's tensors on the CPU, in file order; the caller closes them. */
  public static LinkedHashMap<String, Tensor> readWeights(Path dir) throws IOException {
    Path file = weightsFile(dir);
    return file.getFileName().toString().equals(SAFETENSORS) ? Safetensors.read(file) : PytorchBin.read(file);
  }

  /** The weights file {@link #readWeights} reads: model.safetensors, else pytorch_model.bin. */
  public static Path weightsFile(Path dir) throws NoSuchFileException {
    Path safetensors = dir.resolve(SAFETENSORS);
    if (Files.isRegularFile(safetensors)) {
      return safetensors;
    }
    Path bin = dir.resolve(PYTORCH_BIN);
    if (Files.isRegularFile(bin)) {
      return bin;
    }
    throw new NoSuchFileException(dir.toString(), null,
        "no weights in " + dir.toAbsolutePath() + ": expected " + SAFETENSORS + " or " + PYTORCH_BIN);
  }

  /**
   * Checks that the model's word-embedding table has a row for every id the tokenizer produces, before
   * any text is encoded: an id past vocab_size would otherwise fail deep inside LibTorch's embedding
   * lookup. A larger vocab_size is fine (some models pad the table).
   *
   * @throws IllegalArgumentException naming the tokenizer directory and both sizes
   */
  public static void requireTokenizerFits(EncoderConfig config, ModelTokenizer tokenizer) {
    int ids = tokenizer.vocabularySize();
    if (ids > config.vocabSize()) {
      throw new IllegalArgumentException("the tokenizer in " + tokenizer.sourceDirectory() + " produces " + ids
          + " token ids (0.." + (ids - 1) + ") but the model's vocab_size is " + config.vocabSize()
          + ", so its word embeddings have no row for ids " + config.vocabSize() + ".." + (ids - 1)
          + "; use the tokenizer the model was trained with, or a config.json with vocab_size >= " + ids);
    }
  }

  /**
   * Checks that the tokenizer is of a kind the model's family is trained with (WordPiece for BERT, DistilBERT and
   * ELECTRA, byte-level BPE for RoBERTa, SentencePiece Unigram for XLM-RoBERTa), before any text is encoded: another
   * tokenizer's ids name other tokens, so the model would run (the vocabulary may even fit) and tag nonsense. A
   * checkpoint of the family that really was trained with another kind (klue/roberta-base uses WordPiece) loads with
   * {@code -D}{@value #ANY_TOKENIZER_PROPERTY}{@code =true}.
   *
   * @throws IllegalArgumentException naming the tokenizer directory, its kind and what the family expects
   */
  public static void requireTokenizerMatches(EncoderConfig config, ModelTokenizer tokenizer) {
    ModelFamily family = config.family();
    if (family.tokenizerKinds().contains(tokenizer.kind()) || Boolean.getBoolean(ANY_TOKENIZER_PROPERTY)) {
      return;
    }
    throw new IllegalArgumentException("the tokenizer in " + tokenizer.sourceDirectory() + " is " + tokenizer.kind().description()
        + " but model_type \"" + family.modelType() + "\" (" + family.tokenClassificationClass() + ") is trained with "
        + family.tokenizerKinds().stream().map(k -> k.description()).sorted().collect(java.util.stream.Collectors.joining(" or "))
        + "; use the tokenizer the model was trained with (set -D" + ANY_TOKENIZER_PROPERTY + "=true if this"
        + " checkpoint really uses this tokenizer)");
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (float32, contiguous, CPU) into
   * {@code dir}, each file atomically (temporary file, then rename).
   */
  public static void save(Path dir, EncoderConfig config, Map<String, Tensor> weights) throws IOException {
    Files.createDirectories(dir);
    LinkedHashMap<String, Tensor> cpu = new LinkedHashMap<>();
    try (Device host = new Device("cpu")) {
      for (Map.Entry<String, Tensor> e : weights.entrySet()) {
        try (Tensor detached = e.getValue().detach()) {
          cpu.put(e.getKey(), Tensors.copyTo(detached, host, torch.ScalarType.Float));
        }
      }
      Safetensors.write(dir.resolve(SAFETENSORS), cpu, Map.of("format", "pt"));
    } finally {
      cpu.values().forEach(Tensor::close);
    }
    config.write(dir.resolve(CONFIG));
  }
}
