package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Hugging Face's ACT2FN entries that BERT checkpoints use. */
public enum Activation {
  /** Exact, erf-based GELU ({@code "gelu"}). */
  GELU,
  /** Tanh approximation ({@code "gelu_new"}, {@code "gelu_pytorch_tanh"}). */
  GELU_TANH,
  RELU,
  SILU;

  public static Activation fromConfig(String hiddenAct) {
    return switch (hiddenAct) {
      case "gelu" -> GELU;
      case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
      case "relu" -> RELU;
      case "silu", "swish" -> SILU;
      default -> throw new IllegalArgumentException(
          "unsupported hidden_act '" + hiddenAct + "': expected gelu, gelu_new, gelu_pytorch_tanh, relu, silu or swish");
    };
  }

  /** The caller owns the result. */
  Tensor apply(Tensor x) {
    return switch (this) {
      case GELU -> torch.gelu(x);
      case GELU_TANH -> torch.gelu(x, "tanh");
      case RELU -> torch.relu(x);
      case SILU -> torch.silu(x);
    };
  }
}
