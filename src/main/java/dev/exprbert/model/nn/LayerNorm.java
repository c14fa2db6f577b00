package dev.exprbert.model.nn;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.LayerNorm} over the last dimension (hidden), with the family's eps. */
public final class LayerNorm {
  private final Tensor weight; // [hidden]
  private final Tensor bias;   // [hidden], or null for a LayerNorm without bias
  private final double eps;

  /** A LayerNorm with weight and bias ({@code path.weight}, {@code path.bias}). */
  public LayerNorm(ModelWeights weights, WeightPath path, double eps) {
    this(weights, path, eps, true);
  }

  public LayerNorm(ModelWeights weights, WeightPath path, double eps, boolean hasBias) {
    this.weight = weights.get(path.key("weight"));
    this.bias = hasBias ? weights.get(path.key("bias")) : null;
    this.eps = eps;
  }

  /** Declares {@code path.weight} [size] (ones) and, with a bias, {@code path.bias} [size] (zeros). */
  public static void declare(List<ParameterSpec> specs, WeightPath path, long size, boolean hasBias) {
    specs.add(new ParameterSpec(path.key("weight"), new long[] {size}, ParameterSpec.Init.ONES));
    if (hasBias) {
      specs.add(new ParameterSpec(path.key("bias"), new long[] {size}, ParameterSpec.Init.ZEROS));
    }
  }

  /** x [..., hidden] -> normalised [..., hidden]; the caller owns the result. */
  public Tensor forward(Tensor x) {
    try (TensorOptional w = new TensorOptional(weight);
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias)) {
      return torch.layer_norm(x, new long[] {weight.size(0)}, w, b, eps, true);
    }
  }
}
