package dev.exprbert.model.deberta;

import com.google.gson.JsonObject;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.AbstractModelFamily;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.attention.AttentionImplementation;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * DeBERTa-v2 and v3 ({@code model_type "deberta-v2"}, {@code DebertaV2ForTokenClassification}: dropout and
 * {@code classifier} on every token). Its attention adds relative-position scores to every (query, key) pair, so it
 * runs on eager and sdpa (the scores as sdpa's float mask); the fused kernel computes plain softmax attention only,
 * and packed (padding-free) batches, which only the fused kernel runs, are not available either.
 */
public final class DebertaV2Family extends AbstractModelFamily {
  public static final DebertaV2Family DEBERTA_V2 = new DebertaV2Family();

  private DebertaV2Family() {
    // transformers ignores "position_embeddings" (_keys_to_ignore_on_load_unexpected) and the position_ids buffer
    super("deberta-v2", "DeBERTa-v2", "DebertaV2", "deberta",
        Pattern.compile(".*position_embeddings.*|.*\\.position_ids$"),
        // DebertaV2ForMaskedLM's heads (lm_predictions, legacy cls) and the replaced-token-detection head of the
        // original DeBERTa-v3 checkpoints (mask_predictions)
        Pattern.compile("^lm_predictions\\..*|^cls\\..*|^mask_predictions\\..*"),
        Set.of(TokenizerKind.UNIGRAM), EnumSet.of(AttentionImplementation.EAGER, AttentionImplementation.SDPA));
  }

  @Override
  public EncoderConfig readConfig(JsonObject json, String source) {
    return DebertaV2ConfigJson.fromJson(json, source);
  }

  /** Says why fused is missing, and that padding-free training goes with it. */
  @Override
  public void requireAttention(AttentionImplementation implementation) {
    if (implementation == AttentionImplementation.FUSED) {
      throw new IllegalArgumentException("--attention fused is not available for " + displayName() + " (model_type \""
          + modelType() + "\"): its relative-position scores are added to every (query, key) pair, which the fused"
          + " kernel does not take, and padding-free (packed) batches need fused; it supports eager, sdpa (padded"
          + " batches)");
    }
    super.requireAttention(implementation);
  }

  @Override
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    DebertaV2Model.declare(specs, prefix, (DebertaV2Config) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new DebertaV2Model(weights, prefix, (DebertaV2Config) config);
  }
}
