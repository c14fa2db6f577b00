package dev.exprbert.model.bert;

import dev.exprbert.model.EncoderConfig;
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
 * One BERT encoder layer as HF names its modules: {@code attention.self.{query,key,value}} (BertSelfAttention),
 * {@code attention.output.{dense,LayerNorm}} (BertSelfOutput), {@code intermediate.dense} (BertIntermediate),
 * {@code output.{dense,LayerNorm}} (BertOutput), computing the shared {@link PostLayerNormBlock}. RoBERTa's,
 * XLM-R's and ELECTRA's layers are this class (transformers copies BertLayer for them); DeBERTa's layer has its own
 * attention and this block ({@link #block}, {@link #declareBlock}).
 */
public final class BertLayer implements EncoderLayer {
  private final MultiHeadSelfAttention attention;
  private final PostLayerNormBlock block;

  public BertLayer(ModelWeights weights, WeightPath path, BertConfig config) {
    WeightPath self = path.child("attention").child("self");
    this.attention = new MultiHeadSelfAttention(new Linear(weights, self.child("query")),
        new Linear(weights, self.child("key")), new Linear(weights, self.child("value")), config.numAttentionHeads(),
        config.attentionProbsDropoutProb());
    this.block = block(weights, path, config, config.layerNormEps());
  }

  /**
   * The block after a layer's self-attention under BERT's names: {@code attention.output.{dense,LayerNorm}},
   * {@code intermediate.dense}, {@code output.{dense,LayerNorm}}, with hidden_dropout_prob after both projections
   * (also DeBERTa's: transformers copies these modules for it).
   */
  public static PostLayerNormBlock block(ModelWeights weights, WeightPath path, EncoderConfig config,
      double layerNormEps) {
    WeightPath attentionOutput = path.child("attention").child("output");
    return new PostLayerNormBlock(new Linear(weights, attentionOutput.child("dense")),
        new LayerNorm(weights, attentionOutput.child("LayerNorm"), layerNormEps), config.hiddenDropoutProb(),
        new Linear(weights, path.child("intermediate").child("dense")), config.hiddenAct(),
        new Linear(weights, path.child("output").child("dense")),
        new LayerNorm(weights, path.child("output").child("LayerNorm"), layerNormEps), config.hiddenDropoutProb());
  }

  /** Declares the layer's tensors under {@code path} (HF's order). */
  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    long h = config.hiddenSize();
    WeightPath self = path.child("attention").child("self");
    Linear.declare(specs, self.child("query"), h, h, true);
    Linear.declare(specs, self.child("key"), h, h, true);
    Linear.declare(specs, self.child("value"), h, h, true);
    declareBlock(specs, path, config);
  }

  /** Declares {@link #block}'s tensors under {@code path} (HF's order, after the self-attention's). */
  public static void declareBlock(List<ParameterSpec> specs, WeightPath path, EncoderConfig config) {
    long h = config.hiddenSize();
    WeightPath attentionOutput = path.child("attention").child("output");
    Linear.declare(specs, attentionOutput.child("dense"), h, h, true);
    LayerNorm.declare(specs, attentionOutput.child("LayerNorm"), h, true);
    Linear.declare(specs, path.child("intermediate").child("dense"), h, config.intermediateSize(), true);
    Linear.declare(specs, path.child("output").child("dense"), config.intermediateSize(), h, true);
    LayerNorm.declare(specs, path.child("output").child("LayerNorm"), h, true);
  }

  @Override
  public Tensor forward(Tensor x, EncoderRun run) {
    try (Tensor context = attention.forward(x, run)) {
      return block.forward(x, context, run);
    }
  }
}
