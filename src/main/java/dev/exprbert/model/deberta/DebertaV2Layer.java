package dev.exprbert.model.deberta;

import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertLayer;
import dev.exprbert.model.nn.PostLayerNormBlock;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers' {@code DebertaV2Layer} ({@code deberta.encoder.layer.N}): {@link DisentangledSelfAttention} under
 * {@code attention.self}, then BERT's post-LayerNorm block under BERT's names ({@code attention.output},
 * {@code intermediate}, {@code output}: transformers copies those modules for DeBERTa) with layer_norm_eps.
 */
final class DebertaV2Layer {
  private final DisentangledSelfAttention attention;
  private final PostLayerNormBlock block;

  DebertaV2Layer(ModelWeights weights, WeightPath path, DebertaV2Config config) {
    this.attention = new DisentangledSelfAttention(weights, path.child("attention").child("self"), config);
    this.block = BertLayer.block(weights, path, config, config.layerNormEps());
  }

  static void declare(List<ParameterSpec> specs, WeightPath path, DebertaV2Config config) {
    DisentangledSelfAttention.declare(specs, path.child("attention").child("self"), config);
    BertLayer.declareBlock(specs, path, config);
  }

  /** x [batch, seq, hidden] -> [batch, seq, hidden]; the caller owns the result and keeps x. */
  Tensor forward(Tensor x, EncoderRun run, RelativeAttentionInputs inputs) {
    try (Tensor context = attention.forward(x, run, inputs)) {
      return block.forward(x, context, run);
    }
  }
}
