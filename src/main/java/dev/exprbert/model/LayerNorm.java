package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.LayerNorm} over the last dimension (hidden), with Hugging Face's eps from the config. */
final class LayerNorm {
  private final Tensor weight; // [hidden]
  private final Tensor bias;   // [hidden]
  private final double eps;

  LayerNorm(ModelWeights weights, WeightPath path, double eps) {
    this.weight = weights.get(path.key("weight"));
    this.bias = weights.get(path.key("bias"));
    this.eps = eps;
  }

  /** x [..., hidden] -> normalised [..., hidden]; the caller owns the result. */
  Tensor forward(Tensor x) {
    try (TensorOptional w = new TensorOptional(weight); TensorOptional b = new TensorOptional(bias)) {
      return torch.layer_norm(x, new long[] {weight.size(0)}, w, b, eps, true);
    }
  }
}
