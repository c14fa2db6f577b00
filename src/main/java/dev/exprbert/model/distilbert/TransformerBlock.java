package dev.exprbert.model.distilbert;

import dev.exprbert.model.EncoderLayer;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.LayerNorm;
import dev.exprbert.model.nn.Linear;
import dev.exprbert.model.nn.MultiHeadSelfAttention;
import dev.exprbert.model.nn.PostLayerNormBlock;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * DistilBERT's {@code TransformerBlock} ({@code distilbert.transformer.layer.N}): {@code attention.{q_lin,k_lin,v_lin,
 * out_lin}} (MultiHeadSelfAttention), {@code sa_layer_norm}, {@code ffn.{lin1,lin2}} (FFN), {@code output_layer_norm},
 * computing the shared {@link PostLayerNormBlock} with eps 1e-12. Unlike BERT there is no dropout after
 * {@code out_lin}; the FFN's output has one.
 */
public final class TransformerBlock implements EncoderLayer {
  private final MultiHeadSelfAttention attention;
  private final PostLayerNormBlock block;

  public TransformerBlock(ModelWeights weights, WeightPath path, DistilBertConfig config) {
    WeightPath attention = path.child("attention");
    this.attention = new MultiHeadSelfAttention(new Linear(weights, attention.child("q_lin")),
        new Linear(weights, attention.child("k_lin")), new Linear(weights, attention.child("v_lin")), config.nHeads(),
        config.attentionDropout());
    double eps = DistilBertConfig.LAYER_NORM_EPS;
    this.block = new PostLayerNormBlock(new Linear(weights, attention.child("out_lin")),
        new LayerNorm(weights, path.child("sa_layer_norm"), eps), 0.0,
        new Linear(weights, path.child("ffn").child("lin1")), config.activation(),
        new Linear(weights, path.child("ffn").child("lin2")), new LayerNorm(weights, path.child("output_layer_norm"), eps),
        config.dropout());
  }

  /** Declares the block's tensors under {@code path} (HF's order). */
  public static void declare(List<ParameterSpec> specs, WeightPath path, DistilBertConfig config) {
    long h = config.dim();
    WeightPath attention = path.child("attention");
    Linear.declare(specs, attention.child("q_lin"), h, h, true);
    Linear.declare(specs, attention.child("k_lin"), h, h, true);
    Linear.declare(specs, attention.child("v_lin"), h, h, true);
    Linear.declare(specs, attention.child("out_lin"), h, h, true);
    LayerNorm.declare(specs, path.child("sa_layer_norm"), h, true);
    Linear.declare(specs, path.child("ffn").child("lin1"), h, config.hiddenDim(), true);
    Linear.declare(specs, path.child("ffn").child("lin2"), config.hiddenDim(), h, true);
    LayerNorm.declare(specs, path.child("output_layer_norm"), h, true);
  }

  @Override
  public Tensor forward(Tensor x, EncoderRun run) {
    try (Tensor context = attention.forward(x, run)) {
      return block.forward(x, context, run);
    }
  }
}
