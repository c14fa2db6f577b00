package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One post-LN transformer encoder layer (HF BertLayer = BertAttention + BertIntermediate + BertOutput):
 * {@code a = LN(x + drop(W_o attn(x)))}, {@code y = LN(a + drop(W_2 act(W_1 a)))}.
 */
final class BertLayer {
  private final BertSelfAttention selfAttention;
  private final Linear attentionOutput;
  private final LayerNorm attentionLayerNorm;
  private final Linear intermediate;
  private final HiddenActivation activation;
  private final Linear output;
  private final LayerNorm outputLayerNorm;
  private final double dropout;

  BertLayer(ModelWeights weights, WeightPath path, BertConfig config) {
    WeightPath attention = path.child("attention");
    this.selfAttention = new BertSelfAttention(weights, attention.child("self"), config);
    this.attentionOutput = new Linear(weights, attention.child("output").child("dense"));
    this.attentionLayerNorm = new LayerNorm(weights, attention.child("output").child("LayerNorm"), config.layerNormEps());
    this.intermediate = new Linear(weights, path.child("intermediate").child("dense"));
    this.activation = config.hiddenAct();
    this.output = new Linear(weights, path.child("output").child("dense"));
    this.outputLayerNorm = new LayerNorm(weights, path.child("output").child("LayerNorm"), config.layerNormEps());
    this.dropout = config.hiddenDropoutProb();
  }

  /**
   * x [batch, seq, hidden] -> [batch, seq, hidden], or, for a packed mask, x [total_tokens, hidden] ->
   * [total_tokens, hidden] (every Linear, LayerNorm and activation then runs on real tokens only); the caller
   * owns the result.
   */
  Tensor forward(Tensor x, AttentionMask mask, AttentionBackend backend, boolean training, LayerwiseBackward tape) {
    try (Tensor context = selfAttention.forward(x, mask, backend, training, tape);
        Tensor projected = attentionOutput.forward(context);
        Tensor projectedDropped = torch.dropout(projected, dropout, training);
        Tensor residual1 = projectedDropped.add(x);
        Tensor attended = attentionLayerNorm.forward(residual1);
        Tensor up = intermediate.forward(attended);
        Tensor activated = Activations.apply(activation, up);
        Tensor down = output.forward(activated);
        Tensor downDropped = torch.dropout(down, dropout, training);
        Tensor residual2 = downDropped.add(attended)) {
      return outputLayerNorm.forward(residual2);
    }
  }
}
