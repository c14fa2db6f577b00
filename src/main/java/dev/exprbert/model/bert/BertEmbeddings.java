package dev.exprbert.model.bert;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Embedding;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Word + absolute position + token type embeddings, then LayerNorm and dropout (HF {@code BertEmbeddings}; RoBERTa's
 * and ELECTRA's embeddings compute the same with their own position ids and width).
 */
public final class BertEmbeddings {
  private final Embedding wordEmbeddings;      // [vocab, width]
  private final Embedding positionEmbeddings;  // [max_positions, width]
  private final Embedding tokenTypeEmbeddings; // [type_vocab, width]
  private final LayerNorm layerNorm;
  private final double dropout;

  /**
   * @param positionPaddingRow whether the position table has a padding_idx (RoBERTa: pad_token_id), like the word
   *     table always does
   */
  public BertEmbeddings(ModelWeights weights, WeightPath path, BertConfig config, boolean positionPaddingRow) {
    this.wordEmbeddings = new Embedding(weights, path.child("word_embeddings"), config.padTokenId());
    this.positionEmbeddings =
        new Embedding(weights, path.child("position_embeddings"), positionPaddingRow ? config.padTokenId() : null);
    this.tokenTypeEmbeddings = new Embedding(weights, path.child("token_type_embeddings"), null);
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), config.layerNormEps());
    this.dropout = config.hiddenDropoutProb();
  }

  /**
   * Declares the tables ([rows, embedding width]) and the LayerNorm under {@code path}.
   *
   * @param positionPaddingRow whether the position table has a padding_idx (RoBERTa: pad_token_id), whose row
   *     {@code _init_weights} zeroes as it does the word table's
   */
  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config, boolean positionPaddingRow) {
    long width = config.embeddingWidth();
    Embedding.declare(specs, path.child("word_embeddings"), config.vocabSize(), width, true);
    Embedding.declare(specs, path.child("position_embeddings"), config.maxPositionEmbeddings(), width, positionPaddingRow);
    Embedding.declare(specs, path.child("token_type_embeddings"), config.typeVocabSize(), width, false);
    LayerNorm.declare(specs, path.child("LayerNorm"), width, true);
  }

  /**
   * @param inputIds [batch, seq] int64, or [total_tokens] for a packed batch
   * @param tokenTypeIds like inputIds
   * @param positionIds [batch, seq] or [seq] int64, or [total_tokens] (restarting per sequence) when packed
   * @return inputIds' shape + [width]; the caller owns it
   */
  public Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, boolean training) {
    try (Tensor words = wordEmbeddings.forward(inputIds);
        Tensor types = tokenTypeEmbeddings.forward(tokenTypeIds);
        Tensor positions = positionEmbeddings.forward(positionIds);
        Tensor sum1 = words.add(types);
        Tensor sum = sum1.add(positions);
        Tensor normed = layerNorm.forward(sum)) {
      return torch.dropout(normed, dropout, training);
    }
  }
}
