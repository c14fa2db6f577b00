package dev.exprbert.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The {@code hidden_act} values we accept, by their transformers names (ACT2FN in activations.py).
 * "swish" is transformers' alias of "silu"; both are kept so the name round-trips.
 */
public enum HiddenActivation {
  /** Exact erf GELU (torch.nn.functional.gelu, approximate="none"). */
  GELU("gelu"),
  /** Tanh-approximated GELU as in the original BERT/GPT-2 code (NewGELUActivation). */
  GELU_NEW("gelu_new"),
  /** torch's own tanh approximation (gelu(approximate="tanh")); same formula as gelu_new. */
  GELU_PYTORCH_TANH("gelu_pytorch_tanh"),
  /** 0.5x(1 + tanh(0.7978845608 x (1 + 0.044715 x^2))) (FastGELUActivation). */
  GELU_FAST("gelu_fast"),
  /** x * sigmoid(1.702 x) (QuickGELUActivation). */
  QUICK_GELU("quick_gelu"),
  RELU("relu"),
  SILU("silu"),
  SWISH("swish"),
  TANH("tanh");

  private final String hfName;

  HiddenActivation(String hfName) {
    this.hfName = hfName;
  }

  /** The name transformers uses in config.json. */
  public String hfName() {
    return hfName;
  }

  /** Null when the name is not supported. */
  public static HiddenActivation fromHfName(String name) {
    for (HiddenActivation a : values()) {
      if (a.hfName.equals(name)) {
        return a;
      }
    }
    return null;
  }

  public static String supportedNames() {
    return Arrays.stream(values()).map(a -> "\"" + a.hfName + "\"").collect(Collectors.joining(", "));
  }
}
