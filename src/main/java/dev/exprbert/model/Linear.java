package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: y = x W^T + b, with W [out, in] and b [out] borrowed from {@link ModelWeights}. */
final class Linear {
  private final Tensor weight; // [out, in]
  private final Tensor bias;   // [out]

  Linear(ModelWeights weights, WeightPath path) {
    this.weight = weights.get(path.key("weight"));
    this.bias = weights.get(path.key("bias"));
  }

  /** x [..., in] -> [..., out]; the caller owns the result. */
  Tensor forward(Tensor x) {
    try (TensorOptional b = new TensorOptional(bias)) {
      return torch.linear(x, weight, b);
    }
  }
}
