package dev.exprbert.model.modernbert;

import dev.exprbert.kernels.AttentionWindow;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Linear;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * HF {@code ModernBertAttention} ({@code model.layers.N.attn}): the fused projection {@code Wqkv} [3 * hidden, hidden],
 * split as [q | k | v] with each part heads-contiguous, RoPE on q and k (the layer type's theta) before the attention
 * backend, a sliding window on local layers ({@code |i - j| <= local_attention / 2}, padding and, in a packed batch,
 * the other sequences excluded), then {@code Wo} and dropout. Attention dropout applies both to the probabilities and
 * after Wo, as in transformers.
 */
public final class ModernBertAttention {
  private final Linear wqkv;
  private final Linear wo;
  private final int heads;
  private final double dropout;
  private final AttentionWindow window;

  public ModernBertAttention(ModelWeights weights, WeightPath path, ModernBertConfig config, ModernBertLayerType type) {
    this.wqkv = new Linear(weights, path.child("Wqkv"), config.attentionBias());
    this.wo = new Linear(weights, path.child("Wo"), config.attentionBias());
    this.heads = config.numAttentionHeads();
    this.dropout = config.attentionDropout();
    this.window = type == ModernBertLayerType.SLIDING_ATTENTION ? AttentionWindow.symmetric(config.slidingWindow())
        : AttentionWindow.NONE;
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config) {
    long h = config.hiddenSize();
    ModernBertInit.linear(specs, path.child("Wqkv"), h, 3 * h, config.attentionBias(), ModernBertInit.in(config), config);
    ModernBertInit.linear(specs, path.child("Wo"), h, h, config.attentionBias(), ModernBertInit.out(config), config);
  }

  /** The keys each query sees: {@link AttentionWindow#NONE} on global layers. */
  public AttentionWindow window() {
    return window;
  }

  /**
   * x [batch, seq, hidden] or packed [total_tokens, hidden] -> the same shape; {@code rotation} holds the cos and sin
   * of x's tokens for this layer's type. The caller owns the result.
   */
  public Tensor forward(Tensor x, ModernBertRotaryEmbedding.Rotation rotation, EncoderRun run) {
    long[] shape = x.sizes().vec().get();
    long[] split = Arrays.copyOf(shape, shape.length + 2); // [..., 3, heads, head_dim]
    split[shape.length - 1] = 3;
    split[shape.length] = heads;
    split[shape.length + 1] = shape[shape.length - 1] / heads;
    try (Tensor qkv = wqkv.forward(x);
        Tensor parts = qkv.view(split);
        Tensor q = parts.select(-3, 0);
        Tensor k = parts.select(-3, 1);
        Tensor v = parts.select(-3, 2);
        Tensor qRotated = rotation.apply(q);
        Tensor kRotated = rotation.apply(k);
        Tensor context = run.attend(qRotated, kRotated, v, window, dropout);
        Tensor merged = context.reshape(shape);
        Tensor projected = wo.forward(merged)) {
      return torch.dropout(projected, dropout, run.training());
    }
  }
}
