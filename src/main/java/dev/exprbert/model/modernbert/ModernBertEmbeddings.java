package dev.exprbert.model.modernbert;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.Embedding;
import dev.exprbert.model.nn.LayerNorm;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * HF {@code ModernBertEmbeddings} ({@code model.embeddings}): {@code tok_embeddings} (padding_idx = pad_token_id, so
 * that row gets no gradient), {@code norm} (LayerNorm, with a bias only when norm_bias), dropout. No position or
 * token-type embeddings: positions enter the attention as RoPE.
 */
public final class ModernBertEmbeddings {
  private final Embedding tokEmbeddings; // [vocab, hidden]
  private final LayerNorm norm;
  private final double dropout;

  public ModernBertEmbeddings(ModelWeights weights, WeightPath path, ModernBertConfig config) {
    this.tokEmbeddings = new Embedding(weights, path.child("tok_embeddings"), config.padTokenId());
    this.norm = new LayerNorm(weights, path.child("norm"), config.normEps(), config.normBias());
    this.dropout = config.embeddingDropout();
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, ModernBertConfig config) {
    specs.add(ModernBertInit.truncatedNormal(path.child("tok_embeddings").key("weight"),
        new long[] {config.vocabSize(), config.hiddenSize()}, ModernBertInit.in(config), config));
    LayerNorm.declare(specs, path.child("norm"), config.hiddenSize(), config.normBias());
  }

  /** ids [batch, seq] (padded) or [total_tokens] (packed) -> + [hidden]; the caller owns the result. */
  public Tensor forward(Tensor inputIds, boolean training) {
    try (Tensor tokens = tokEmbeddings.forward(inputIds); Tensor normed = norm.forward(tokens)) {
      return torch.dropout(normed, dropout, training);
    }
  }
}
