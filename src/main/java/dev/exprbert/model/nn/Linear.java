package dev.exprbert.model.nn;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: y = x W^T + b, with W [out, in] and b [out] borrowed from {@link ModelWeights}. */
public final class Linear {
  private final Tensor weight; // [out, in]
  private final Tensor bias;   // [out], or null for a Linear without bias

  /** A Linear with a bias ({@code path.weight}, {@code path.bias}). */
  public Linear(ModelWeights weights, WeightPath path) {
    this(weights, path, true);
  }

  public Linear(ModelWeights weights, WeightPath path, boolean hasBias) {
    this.weight = weights.get(path.key("weight"));
    this.bias = hasBias ? weights.get(path.key("bias")) : null;
  }

  /** Declares {@code path.weight} [out, in] (normal init) and, with a bias, {@code path.bias} [out] (zeros). */
  public static void declare(List<ParameterSpec> specs, WeightPath path, long in, long out, boolean hasBias) {
    specs.add(new ParameterSpec(path.key("weight"), new long[] {out, in}, ParameterSpec.Init.NORMAL));
    if (hasBias) {
      specs.add(new ParameterSpec(path.key("bias"), new long[] {out}, ParameterSpec.Init.ZEROS));
    }
  }

  /** x [..., in] -> [..., out]; the caller owns the result. */
  public Tensor forward(Tensor x) {
    try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias)) {
      return torch.linear(x, weight, b);
    }
  }
}
