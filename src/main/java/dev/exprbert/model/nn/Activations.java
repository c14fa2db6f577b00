package dev.exprbert.model.nn;

import dev.exprbert.model.HiddenActivation;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Hugging Face's ACT2FN for the {@link HiddenActivation}s a config may name. */
public final class Activations {
  private Activations() {}

  /** The caller owns the result. */
  public static Tensor apply(HiddenActivation activation, Tensor x) {
    return switch (activation) {
      case GELU -> torch.gelu(x); // erf form
      // gelu_fast is the same tanh formula written out by hand in transformers.
      case GELU_NEW, GELU_PYTORCH_TANH, GELU_FAST -> torch.gelu(x, "tanh");
      case QUICK_GELU -> quickGelu(x);
      case RELU -> torch.relu(x);
      case SILU, SWISH -> torch.silu(x);
      case TANH -> torch.tanh(x);
    };
  }

  /** x * sigmoid(1.702 x). */
  private static Tensor quickGelu(Tensor x) {
    try (Scalar k = new Scalar(1.702); Tensor scaled = x.mul(k); Tensor gate = torch.sigmoid(scaled)) {
      return x.mul(gate);
    }
  }
}
