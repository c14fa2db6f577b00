package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Word + absolute position + token type embeddings, then LayerNorm and dropout (HF BertEmbeddings). */
final class BertEmbeddings {
  private final Tensor wordEmbeddings;      // [vocab, hidden]
  private final Tensor positionEmbeddings;  // [max_positions, hidden]
  private final Tensor tokenTypeEmbeddings; // [type_vocab, hidden]
  private final LayerNorm layerNorm;
  private final double dropout;

  BertEmbeddings(ModelWeights weights, WeightPath path, BertConfig config) {
    this.wordEmbeddings = weights.get(path.child("word_embeddings").key("weight"));
    this.positionEmbeddings = weights.get(path.child("position_embeddings").key("weight"));
    this.tokenTypeEmbeddings = weights.get(path.child("token_type_embeddings").key("weight"));
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), config.layerNormEps());
    this.dropout = config.hiddenDropoutProb();
  }

  /**
   * @param inputIds [batch, seq] int64, or [total_tokens] for a packed batch
   * @param tokenTypeIds like inputIds
   * @param positionIds [batch, seq] or [seq] int64, or [total_tokens] (restarting per sequence) when packed
   * @return inputIds' shape + [hidden]; the caller owns it
   */
  Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, boolean training) {
    try (Tensor words = torch.embedding(wordEmbeddings, inputIds);
        Tensor types = torch.embedding(tokenTypeEmbeddings, tokenTypeIds);
        Tensor positions = torch.embedding(positionEmbeddings, positionIds);
        Tensor sum1 = words.add(types);
        Tensor sum = sum1.add(positions);
        Tensor normed = layerNorm.forward(sum)) {
      return torch.dropout(normed, dropout, training);
    }
  }
}
