package dev.exprbert.model.modernbert;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderLayer;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.LayerNorm;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * HF {@code ModernBertModel} ({@code model.}): {@code embeddings}, the {@link ModernBertEncoderLayer}s under
 * {@code layers.N}, then {@code final_norm}. The RoPE cos and sin of each layer type used are computed once per pass
 * from the batch's positions (padded: 0..seq-1 for every row, padding not skipped; packed: restarting at 0 per
 * sequence, ModernBERT's own unpadded layout) and shared by the layers of that type. Token type ids are ignored
 * (ModernBERT has none).
 */
public final class ModernBertModel implements Encoder {
  private final ModernBertEmbeddings embeddings;
  private final List<ModernBertEncoderLayer> layers;
  private final LayerNorm finalNorm;
  private final ModernBertRotaryEmbedding rotaryEmb;
  private final ModernBertConfig config;

  /** @param path the encoder's prefix ({@code model}) */
  public ModernBertModel(ModelWeights weights, WeightPath path, ModernBertConfig config) {
    this.config = config;
    this.embeddings = new ModernBertEmbeddings(weights, path.child("embeddings"), config);
    List<ModernBertEncoderLayer> built = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      built.add(new ModernBertEncoderLayer(weights, path.child("layers").child(i), config, i));
    }
    this.layers = List.copyOf(built);
    this.finalNorm = new LayerNorm(weights, path.child("final_norm"), config.normEps(), config.normBias());
    this.rotaryEmb = new ModernBertRotaryEmbedding(config);
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config) {
    ModernBertEmbeddings.declare(specs, path.child("embeddings"), config);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      ModernBertEncoderLayer.declare(specs, path.child("layers").child(i), config, i);
    }
    LayerNorm.declare(specs, path.child("final_norm"), config.hiddenSize(), config.normBias());
  }

  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    Map<ModernBertLayerType, ModernBertRotaryEmbedding.Rotation> rotations = new EnumMap<>(ModernBertLayerType.class);
    try {
      Tensor hidden = embeddings.forward(input.inputIds(), run.training());
      ScalarType computeType = hidden.scalar_type();
      List<EncoderLayer> pass = new ArrayList<>(layers.size());
      for (ModernBertEncoderLayer layer : layers) {
        ModernBertRotaryEmbedding.Rotation rotation = rotations.computeIfAbsent(layer.type(),
            type -> rotaryEmb.forward(input.positionIds(), config.ropeTheta(type), computeType));
        pass.add((x, r) -> layer.forward(x, rotation, r));
      }
      try (Tensor last = run.layers(hidden, pass)) {
        return finalNorm.forward(last); // part of the last layer's autograd segment
      }
    } finally {
      rotations.values().forEach(ModernBertRotaryEmbedding.Rotation::close);
    }
  }
}
