package dev.exprbert.testing;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.Safetensors;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;

/**
 * A small randomly initialised token classifier with all-MiniLM-L6-v2's tokenizer, saved as a model directory.
 * Every tensor is random, biases and LayerNorm parameters included (a Hugging Face init leaves those at 0 and 1,
 * where a bias or LayerNorm wired wrongly in an export would go unnoticed).
 */
public final class RandomTokenClassifier {
  public static final List<String> LABELS = List.of("O", "B-EXPR", "I-EXPR", "B-TIME", "I-TIME");

  private RandomTokenClassifier() {}

  public static BertConfig config(HiddenActivation activation) {
    return BertConfig.builder().vocabSize(30522).hiddenSize(48).numHiddenLayers(2).numAttentionHeads(3).intermediateSize(96)
        .maxPositionEmbeddings(128).hiddenAct(activation).layerNormEps(1e-7).labels(LABELS).padTokenId(0).build();
  }

  /** Writes the model into {@code dir} (created) and returns it. */
  public static Path create(Path dir, BertConfig config, long seed) throws IOException {
    Natives.init();
    Files.createDirectories(dir);
    Random random = new Random(seed);
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParameterSpec spec : ParameterSpec.of(config)) {
      float[] values = new float[Math.toIntExact(spec.numel())];
      boolean layerNormWeight = spec.init() == ParameterSpec.Init.ONES;
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (layerNormWeight ? 1 + 0.2 * random.nextGaussian() : 0.15 * random.nextGaussian());
      }
      tensors.put(spec.name(), Tensors.floats(values, spec.shape()));
    }
    try {
      Safetensors.write(dir.resolve(ModelDirectory.SAFETENSORS), tensors, Map.of("format", "pt"));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
    config.write(dir.resolve(ModelDirectory.CONFIG));
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(Files.createTempDirectory("exprbert-tok")))) {
      tokenizer.save(dir);
    }
    return dir;
  }
}
