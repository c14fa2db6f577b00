package dev.exprbert.model.modernbert;

import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * HF {@code ModernBertEncoderLayer} ({@code model.layers.N}), pre-LayerNorm: {@code h = x + attn(attn_norm(x))},
 * {@code y = h + mlp(mlp_norm(h))}. Layer 0 has no {@code attn_norm} (transformers makes it the identity, since the
 * embeddings end with a LayerNorm), so it has no such weight either.
 */
public final class ModernBertEncoderLayer {
  private final LayerNorm attnNorm; // null on layer 0
  private final ModernBertAttention attn;
  private final LayerNorm mlpNorm;
  private final ModernBertMLP mlp;
  private final ModernBertLayerType type;

  public ModernBertEncoderLayer(ModelWeights weights, WeightPath path, ModernBertConfig config, int index) {
    this.type = config.layerTypes().get(index);
    this.attnNorm = index == 0 ? null
        : new LayerNorm(weights, path.child("attn_norm"), config.normEps(), config.normBias());
    this.attn = new ModernBertAttention(weights, path.child("attn"), config, type);
    this.mlpNorm = new LayerNorm(weights, path.child("mlp_norm"), config.normEps(), config.normBias());
    this.mlp = new ModernBertMLP(weights, path.child("mlp"), config);
  }

  /** Declares the layer's tensors under {@code path}, in transformers' order. */
  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config, int index) {
    if (index > 0) {
      LayerNorm.declare(specs, path.child("attn_norm"), config.hiddenSize(), config.normBias());
    }
    ModernBertAttention.declare(specs, path.child("attn"), config);
    LayerNorm.declare(specs, path.child("mlp_norm"), config.hiddenSize(), config.normBias());
    ModernBertMLP.declare(specs, path.child("mlp"), config);
  }

  /** Global or local: which RoPE theta and window this layer uses. */
  public ModernBertLayerType type() {
    return type;
  }

  /**
   * x [batch, seq, hidden] or packed [total_tokens, hidden] -> the same shape; {@code rotation} is this layer type's
   * RoPE for x's tokens. The caller owns the result; x stays the caller's.
   */
  public Tensor forward(Tensor x, ModernBertRotaryEmbedding.Rotation rotation, EncoderRun run) {
    Tensor normed = attnNorm == null ? x : attnNorm.forward(x);
    try (Tensor attended = attn.forward(normed, rotation, run); Tensor h = x.add(attended); Tensor hn = mlpNorm.forward(h);
        Tensor mixed = mlp.forward(hn, run.training())) {
      return h.add(mixed);
    } finally {
      if (normed != x) {
        normed.close();
      }
    }
  }
}
