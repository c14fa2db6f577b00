package dev.exprbert.export;

import dev.exprbert.model.HiddenActivation;
import java.util.List;

/**
 * Each {@code hidden_act} as the ONNX ops torch.onnx writes for transformers' ACT2FN, so that the activation a
 * graph reader finds in {@code /intermediate/} is the one the model ran: exact GELU through {@code Erf}, the tanh
 * approximations (gelu_new, gelu_pytorch_tanh, gelu_fast: one formula) through {@code Tanh}.
 */
final class OnnxActivations {
  private OnnxActivations() {}

  /** Adds the activation of {@code x} under {@code scope} and returns its output. */
  static String apply(OnnxGraphWriter w, String scope, HiddenActivation activation, String x) {
    return switch (activation) {
      case GELU -> {
        // x * 0.5 * (1 + erf(x / sqrt(2)))
        String erf = w.op(scope, "Erf", List.of(w.op(scope, "Div", List.of(x, w.floatScalar(scope, (float) Math.sqrt(2.0))))));
        String onePlus = w.op(scope, "Add", List.of(erf, w.floatScalar(scope, 1f)));
        yield w.op(scope, "Mul", List.of(w.op(scope, "Mul", List.of(x, onePlus)), w.floatScalar(scope, 0.5f)));
      }
      case GELU_NEW, GELU_PYTORCH_TANH, GELU_FAST -> {
        // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        String cubed = w.op(scope, "Pow", List.of(x, w.floatScalar(scope, 3f)));
        String inner = w.op(scope, "Add", List.of(x, w.op(scope, "Mul", List.of(cubed, w.floatScalar(scope, 0.044715f)))));
        String scaled = w.op(scope, "Mul", List.of(inner, w.floatScalar(scope, (float) Math.sqrt(2.0 / Math.PI))));
        String onePlus = w.op(scope, "Add", List.of(w.op(scope, "Tanh", List.of(scaled)), w.floatScalar(scope, 1f)));
        yield w.op(scope, "Mul", List.of(w.op(scope, "Mul", List.of(x, w.floatScalar(scope, 0.5f))), onePlus));
      }
      case QUICK_GELU -> {
        String gate = w.op(scope, "Sigmoid", List.of(w.op(scope, "Mul", List.of(x, w.floatScalar(scope, 1.702f)))));
        yield w.op(scope, "Mul", List.of(x, gate));
      }
      case RELU -> w.op(scope, "Relu", List.of(x));
      case SILU, SWISH -> w.op(scope, "Mul", List.of(x, w.op(scope, "Sigmoid", List.of(x))));
      case TANH -> w.op(scope, "Tanh", List.of(x));
    };
  }
}
