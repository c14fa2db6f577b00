package dev.exprbert.model.distilbert;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Embedding;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * DistilBERT's {@code Embeddings} ({@code distilbert.embeddings}): word + position embeddings (positions 0..S-1,
 * padding not skipped; no token types at all), LayerNorm with the hard-coded eps 1e-12, dropout.
 */
public final class DistilBertEmbeddings {
  private final Embedding wordEmbeddings;     // [vocab, dim]
  private final Embedding positionEmbeddings; // [max_positions, dim]
  private final LayerNorm layerNorm;
  private final double dropout;

  public DistilBertEmbeddings(ModelWeights weights, WeightPath path, DistilBertConfig config) {
    this.wordEmbeddings = new Embedding(weights, path.child("word_embeddings"), config.padTokenId());
    this.positionEmbeddings = new Embedding(weights, path.child("position_embeddings"), null);
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), DistilBertConfig.LAYER_NORM_EPS);
    this.dropout = config.dropout();
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, DistilBertConfig config) {
    Embedding.declare(specs, path.child("word_embeddings"), config.vocabSize(), config.dim(), true);
    Embedding.declare(specs, path.child("position_embeddings"), config.maxPositionEmbeddings(), config.dim(), false);
    LayerNorm.declare(specs, path.child("LayerNorm"), config.dim(), true);
  }

  /** ids and positions [batch, seq] / [seq] (padded) or [total_tokens] (packed) -> + [dim]; the caller owns it. */
  public Tensor forward(Tensor inputIds, Tensor positionIds, boolean training) {
    try (Tensor words = wordEmbeddings.forward(inputIds);
        Tensor positions = positionEmbeddings.forward(positionIds);
        Tensor sum = words.add(positions);
        Tensor normed = layerNorm.forward(sum)) {
      return torch.dropout(normed, dropout, training);
    }
  }
}
