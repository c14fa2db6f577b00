package dev.exprbert.model.deberta;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Embedding;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code DebertaV2Embeddings} ({@code deberta.embeddings}) as DeBERTa-v3 configures it: word embeddings
 * (padding_idx pad_token_id), no position embeddings ({@code position_biased_input false}), no token types
 * ({@code type_vocab_size 0}), LayerNorm, then the rows multiplied by the attention mask (padding becomes zeros), then
 * dropout.
 */
final class DebertaV2Embeddings {
  private final Embedding wordEmbeddings; // [vocab, hidden]
  private final LayerNorm layerNorm;
  private final double dropout;

  DebertaV2Embeddings(ModelWeights weights, WeightPath path, DebertaV2Config config) {
    this.wordEmbeddings = new Embedding(weights, path.child("word_embeddings"), config.padTokenId());
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), config.layerNormEps());
    this.dropout = config.hiddenDropoutProb();
  }

  static void declare(List<ParameterSpec> specs, WeightPath path, DebertaV2Config config) {
    Embedding.declare(specs, path.child("word_embeddings"), config.vocabSize(), config.hiddenSize(), true);
    LayerNorm.declare(specs, path.child("LayerNorm"), config.hiddenSize(), true);
  }

  /**
   * @param inputIds [batch, seq] int64
   * @param keep [batch, seq] int64, 1 for a real token
   * @return [batch, seq, hidden]; the caller owns it
   */
  Tensor forward(Tensor inputIds, Tensor keep, boolean training) {
    try (Tensor words = wordEmbeddings.forward(inputIds);
        Tensor normed = layerNorm.forward(words);
        Tensor rows = keep.unsqueeze(2);
        Tensor rowMask = rows.to(normed.scalar_type());
        Tensor masked = normed.mul(rowMask)) {
      return torch.dropout(masked, dropout, training);
    }
  }
}
