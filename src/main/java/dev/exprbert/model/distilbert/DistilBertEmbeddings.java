package dev.exprbert.model.distilbert;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * DistilBERT's {@code Embeddings} ({@code distilbert.embeddings}): word + position embeddings (positions 0..S-1,
 * padding not skipped; no token types at all), LayerNorm with the hard-coded eps 1e-12, dropout.
 */
public final class DistilBertEmbeddings {
  private final Tensor wordEmbeddings;     // [vocab, dim]
  private final Tensor positionEmbeddings; // [max_positions, dim]
  private final LayerNorm layerNorm;
  private final double dropout;

  public DistilBertEmbeddings(ModelWeights weights, WeightPath path, DistilBertConfig config) {
    this.wordEmbeddings = weights.get(path.child("word_embeddings").key("weight"));
    this.positionEmbeddings = weights.get(path.child("position_embeddings").key("weight"));
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), DistilBertConfig.LAYER_NORM_EPS);
    this.dropout = config.dropout();
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, DistilBertConfig config) {
    specs.add(new ParameterSpec(path.child("word_embeddings").key("weight"), new long[] {config.vocabSize(), config.dim()},
        ParameterSpec.Init.NORMAL_PADDING_ROW_ZERO));
    specs.add(new ParameterSpec(path.child("position_embeddings").key("weight"),
        new long[] {config.maxPositionEmbeddings(), config.dim()}, ParameterSpec.Init.NORMAL));
    LayerNorm.declare(specs, path.child("LayerNorm"), config.dim(), true);
  }

  /** ids and positions [batch, seq] / [seq] (padded) or [total_tokens] (packed) -> + [dim]; the caller owns it. */
  public Tensor forward(Tensor inputIds, Tensor positionIds, boolean training) {
    try (Tensor words = torch.embedding(wordEmbeddings, inputIds);
        Tensor positions = torch.embedding(positionEmbeddings, positionIds);
        Tensor sum = words.add(positions);
        Tensor normed = layerNorm.forward(sum)) {
      return torch.dropout(normed, dropout, training);
    }
  }
}
