package dev.exprbert.model.modernbert;

import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Activations;
import dev.exprbert.model.nn.Linear;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * HF {@code ModernBertMLP} ({@code model.layers.N.mlp}), a GeGLU: {@code input, gate = Wi(x).chunk(2)} (the first
 * half is activated), {@code Wo(drop(act(input) * gate))}. Wi is [2 * intermediate, hidden], Wo [hidden, intermediate].
 */
public final class ModernBertMLP {
  private final Linear wi;
  private final Linear wo;
  private final HiddenActivation activation;
  private final double dropout;

  public ModernBertMLP(ModelWeights weights, WeightPath path, ModernBertConfig config) {
    this.wi = new Linear(weights, path.child("Wi"), config.mlpBias());
    this.wo = new Linear(weights, path.child("Wo"), config.mlpBias());
    this.activation = config.hiddenActivation();
    this.dropout = config.mlpDropout();
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config) {
    long h = config.hiddenSize();
    long i = config.intermediateSize();
    ModernBertInit.linear(specs, path.child("Wi"), h, 2 * i, config.mlpBias(), ModernBertInit.in(config), config);
    ModernBertInit.linear(specs, path.child("Wo"), i, h, config.mlpBias(), ModernBertInit.out(config), config);
  }

  /** x [..., hidden] -> [..., hidden]; the caller owns the result. */
  public Tensor forward(Tensor x, boolean training) {
    try (Tensor up = wi.forward(x);
        TensorVector halves = up.chunk(2, -1);
        Tensor input = halves.get(0);
        Tensor gate = halves.get(1);
        Tensor activated = Activations.apply(activation, input);
        Tensor gated = activated.mul(gate);
        Tensor dropped = torch.dropout(gated, dropout, training)) {
      return wo.forward(dropped);
    }
  }
}
