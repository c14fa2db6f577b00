package dev.exprbert.model.nn;

import dev.exprbert.model.EncoderLayer;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.HiddenActivation;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The post-LayerNorm transformer layer every BERT-like family computes, whatever its modules are called:
 * {@code a = LN1(x + drop1(W_o attn(x)))}, {@code y = LN2(a + drop2(W_2 act(W_1 a)))}. BERT's {@code BertLayer}
 * (also RoBERTa's, XLM-R's and ELECTRA's) and DistilBERT's {@code TransformerBlock} build one with their own weight
 * names; the dropouts differ (DistilBERT has none after its attention projection).
 *
 * @param attention the q/k/v projections and attention
 * @param attentionOutput W_o (BERT {@code attention.output.dense}, DistilBERT {@code attention.out_lin})
 * @param attentionNorm LN1 (BERT {@code attention.output.LayerNorm}, DistilBERT {@code sa_layer_norm})
 * @param attentionOutputDropout drop1's probability
 * @param intermediate W_1 (BERT {@code intermediate.dense}, DistilBERT {@code ffn.lin1})
 * @param activation act
 * @param output W_2 (BERT {@code output.dense}, DistilBERT {@code ffn.lin2})
 * @param outputNorm LN2 (BERT {@code output.LayerNorm}, DistilBERT {@code output_layer_norm})
 * @param outputDropout drop2's probability
 */
public record PostLayerNormBlock(MultiHeadSelfAttention attention, Linear attentionOutput, LayerNorm attentionNorm,
    double attentionOutputDropout, Linear intermediate, HiddenActivation activation, Linear output, LayerNorm outputNorm,
    double outputDropout) implements EncoderLayer {

  /**
   * x [batch, seq, hidden] -> [batch, seq, hidden], or packed x [total_tokens, hidden] -> [total_tokens, hidden]
   * (every Linear, LayerNorm and activation then runs on real tokens only); the caller owns the result.
   */
  @Override
  public Tensor forward(Tensor x, EncoderRun run) {
    boolean training = run.training();
    try (Tensor context = attention.forward(x, run);
        Tensor projected = attentionOutput.forward(context);
        Tensor projectedDropped = torch.dropout(projected, attentionOutputDropout, training);
        Tensor residual1 = projectedDropped.add(x);
        Tensor attended = attentionNorm.forward(residual1);
        Tensor up = intermediate.forward(attended);
        Tensor activated = Activations.apply(activation, up);
        Tensor down = output.forward(activated);
        Tensor downDropped = torch.dropout(down, outputDropout, training);
        Tensor residual2 = downDropped.add(attended)) {
      return outputNorm.forward(residual2);
    }
  }
}
