package dev.exprbert.model.bert;

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
 * XLM-R's and ELECTRA's layers are this class (transformers copies BertLayer for them).
 */
public final class BertLayer implements EncoderLayer {
  private final PostLayerNormBlock block;

  public BertLayer(ModelWeights weights, WeightPath path, BertConfig config) {
    WeightPath attention = path.child("attention");
    WeightPath self = attention.child("self");
    MultiHeadSelfAttention selfAttention = new MultiHeadSelfAttention(new Linear(weights, self.child("query")),
        new Linear(weights, self.child("key")), new Linear(weights, self.child("value")), config.numAttentionHeads(),
        config.attentionProbsDropoutProb());
    this.block = new PostLayerNormBlock(selfAttention, new Linear(weights, attention.child("output").child("dense")),
        new LayerNorm(weights, attention.child("output").child("LayerNorm"), config.layerNormEps()),
        config.hiddenDropoutProb(), new Linear(weights, path.child("intermediate").child("dense")), config.hiddenAct(),
        new Linear(weights, path.child("output").child("dense")),
        new LayerNorm(weights, path.child("output").child("LayerNorm"), config.layerNormEps()),
        config.hiddenDropoutProb());
  }

  /** Declares the layer's tensors under {@code path} (HF's order). */
  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    long h = config.hiddenSize();
    WeightPath attention = path.child("attention");
    WeightPath self = attention.child("self");
    Linear.declare(specs, self.child("query"), h, h, true);
    Linear.declare(specs, self.child("key"), h, h, true);
    Linear.declare(specs, self.child("value"), h, h, true);
    Linear.declare(specs, attention.child("output").child("dense"), h, h, true);
    LayerNorm.declare(specs, attention.child("output").child("LayerNorm"), h, true);
    Linear.declare(specs, path.child("intermediate").child("dense"), h, config.intermediateSize(), true);
    Linear.declare(specs, path.child("output").child("dense"), config.intermediateSize(), h, true);
    LayerNorm.declare(specs, path.child("output").child("LayerNorm"), h, true);
  }

  @Override
  public Tensor forward(Tensor x, EncoderRun run) {
    return block.forward(x, run);
  }
}
