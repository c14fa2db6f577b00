package dev.exprbert.model.nn;

import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.HiddenActivation;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The post-LayerNorm transformer layer every BERT-like family computes around its self-attention, whatever its
 * modules are called: {@code a = LN1(x + drop1(W_o context))}, {@code y = LN2(a + drop2(W_2 act(W_1 a)))}, where
 * {@code context} is the self-attention of {@code x}. BERT's {@code BertLayer} (also RoBERTa's, XLM-R's and ELECTRA's),
 * DistilBERT's {@code TransformerBlock} and DeBERTa's {@code DebertaV2Layer} build one with their own weight names and
 * run their own attention before it (plain multi-head attention, or DeBERTa's disentangled attention with its
 * relative positions); the dropouts differ (DistilBERT has none after its attention projection).
 *
 * @param attentionOutput W_o (BERT {@code attention.output.dense}, DistilBERT {@code attention.out_lin})
 * @param attentionNorm LN1 (BERT {@code attention.output.LayerNorm}, DistilBERT {@code sa_layer_norm})
 * @param attentionOutputDropout drop1's probability
 * @param intermediate W_1 (BERT {@code intermediate.dense}, DistilBERT {@code ffn.lin1})
 * @param activation act
 * @param output W_2 (BERT {@code output.dense}, DistilBERT {@code ffn.lin2})
 * @param outputNorm LN2 (BERT {@code output.LayerNorm}, DistilBERT {@code output_layer_norm})
 * @param outputDropout drop2's probability
 */
public record PostLayerNormBlock(Linear attentionOutput, LayerNorm attentionNorm, double attentionOutputDropout,
    Linear intermediate, HiddenActivation activation, Linear output, LayerNorm outputNorm, double outputDropout) {

  /**
   * x and its attention context [batch, seq, hidden] -> [batch, seq, hidden], or packed [total_tokens, hidden] ->
   * [total_tokens, hidden] (every Linear, LayerNorm and activation then runs on real tokens only); the caller owns the
   * result and keeps both arguments.
   *
   * @param context the self-attention output before W_o
   */
  public Tensor forward(Tensor x, Tensor context, EncoderRun run) {
    boolean training = run.training();
    try (Tensor projected = attentionOutput.forward(context);
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
