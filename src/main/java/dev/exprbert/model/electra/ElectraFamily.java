package dev.exprbert.model.electra;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.AbstractModelFamily;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertKeyedFamily;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ELECTRA's discriminator ({@code model_type "electra"}, {@code ElectraForTokenClassification}: dropout and
 * {@code classifier} straight on the encoder output; the {@code ElectraClassificationHead} with its dense layer belongs
 * to sequence classification only). BERT's config keys plus a required {@code embedding_size}.
 */
public final class ElectraFamily extends AbstractModelFamily implements BertKeyedFamily {
  public static final ElectraFamily ELECTRA = new ElectraFamily();

  private ElectraFamily() {
    super("electra", "ELECTRA", "Electra", "electra",
        Pattern.compile(".*\\.position_ids$|^electra\\.embeddings\\.token_type_ids$"),
        // ElectraForPreTraining's discriminator head, ElectraForMaskedLM's generator head
        Pattern.compile("^discriminator_predictions\\..*|^generator_predictions\\..*|^generator_lm_head\\..*"),
        Set.of(TokenizerKind.WORDPIECE), allBackends());
  }

  @Override
  public boolean hasEmbeddingSize() {
    return true;
  }

  @Override
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    ElectraModel.declare(specs, prefix, (BertConfig) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new ElectraModel(weights, prefix, (BertConfig) config);
  }
}
