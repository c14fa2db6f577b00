package dev.exprbert.model.modernbert;

import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;

/**
 * ModernBERT's {@code _init_weights}: every Linear and the token embeddings from a normal truncated at
 * {@code +-initializer_cutoff_factor * std}, with a std per role; biases zero, LayerNorm weights one (as
 * {@link dev.exprbert.model.nn.LayerNorm#declare} declares them). The padding row of {@code tok_embeddings} is drawn
 * like every other row (ModernBERT's init runs after the generic one that would zero it).
 */
final class ModernBertInit {
  private ModernBertInit() {}

  /** "in": Wqkv, the MLP's Wi, and the embeddings: {@code initializer_range}. */
  static double in(ModernBertConfig c) {
    return c.initializerRange();
  }

  /** "out": the attention's and the MLP's Wo, the head's dense: {@code initializer_range / sqrt(2 * layers)}. */
  static double out(ModernBertConfig c) {
    return c.initializerRange() / Math.sqrt(2.0 * c.numHiddenLayers());
  }

  /** "final_out": the classifier: {@code hidden_size^-0.5}. */
  static double finalOut(ModernBertConfig c) {
    return 1.0 / Math.sqrt(c.hiddenSize());
  }

  static ParameterSpec truncatedNormal(String name, long[] shape, double std, ModernBertConfig c) {
    return ParameterSpec.truncatedNormal(name, shape, std, c.initializerCutoffFactor() * std);
  }

  /** Declares {@code path.weight} [out, in] (truncated normal with {@code std}) and, with a bias, {@code path.bias}. */
  static void linear(List<ParameterSpec> specs, WeightPath path, long in, long out, boolean bias, double std,
      ModernBertConfig c) {
    specs.add(truncatedNormal(path.key("weight"), new long[] {out, in}, std, c));
    if (bias) {
      specs.add(new ParameterSpec(path.key("bias"), new long[] {out}, ParameterSpec.Init.ZEROS));
    }
  }
}
