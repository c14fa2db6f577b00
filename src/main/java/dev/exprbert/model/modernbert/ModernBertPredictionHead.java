package dev.exprbert.model.modernbert;

import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Activations;
import dev.exprbert.model.nn.LayerNorm;
import dev.exprbert.model.nn.Linear;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * HF {@code ModernBertPredictionHead} ({@code head.}): {@code norm(act(dense(x)))}, dense [hidden, hidden] with a bias
 * only when classifier_bias, act the classifier_activation, norm a LayerNorm like the encoder's. The masked-LM
 * checkpoints carry it, so a token classifier fine-tuned from them starts from its trained weights.
 */
public final class ModernBertPredictionHead {
  private final Linear dense;
  private final HiddenActivation activation;
  private final LayerNorm norm;

  public ModernBertPredictionHead(ModelWeights weights, WeightPath path, ModernBertConfig config) {
    this.dense = new Linear(weights, path.child("dense"), config.classifierBias());
    this.activation = config.classifierActivation();
    this.norm = new LayerNorm(weights, path.child("norm"), config.normEps(), config.normBias());
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config) {
    long h = config.hiddenSize();
    ModernBertInit.linear(specs, path.child("dense"), h, h, config.classifierBias(), ModernBertInit.out(config), config);
    LayerNorm.declare(specs, path.child("norm"), h, config.normBias());
  }

  /** x [..., hidden] -> [..., hidden]; the caller owns the result. */
  public Tensor forward(Tensor x) {
    try (Tensor projected = dense.forward(x); Tensor activated = Activations.apply(activation, projected)) {
      return norm.forward(activated);
    }
  }
}
