package dev.exprbert.model.electra;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertKeyedFamily;
import dev.exprbert.model.nn.DropoutLinearHead;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ELECTRA's discriminator ({@code model_type "electra"}, {@code ElectraForTokenClassification}: dropout and
 * {@code classifier} straight on the encoder output; the {@code ElectraClassificationHead} with its dense layer belongs
 * to sequence classification only). BERT's config keys plus a required {@code embedding_size}.
 */
public final class ElectraFamily implements BertKeyedFamily {
  public static final ElectraFamily ELECTRA = new ElectraFamily();

  private static final Pattern IGNORED = Pattern.compile(".*\\.position_ids$|^electra\\.embeddings\\.token_type_ids$");
  /** ElectraForPreTraining's discriminator head, ElectraForMaskedLM's generator head. */
  private static final Pattern UNUSED_HEADS =
      Pattern.compile("^discriminator_predictions\\..*|^generator_predictions\\..*|^generator_lm_head\\..*");

  private ElectraFamily() {}

  @Override
  public String modelType() {
    return "electra";
  }

  @Override
  public String displayName() {
    return "ELECTRA";
  }

  @Override
  public String tokenClassificationClass() {
    return "ElectraForTokenClassification";
  }

  @Override
  public String baseModelClass() {
    return "ElectraModel";
  }

  @Override
  public String weightPrefix() {
    return "electra";
  }

  @Override
  public boolean hasEmbeddingSize() {
    return true;
  }

  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    BertConfig c = (BertConfig) config;
    List<ParameterSpec> specs = new ArrayList<>();
    ElectraModel.declare(specs, WeightPath.ROOT.child(weightPrefix()), c);
    DropoutLinearHead.declare(specs, WeightPath.ROOT.child("classifier"), c.hiddenSize(), c.numLabels());
    return List.copyOf(specs);
  }

  @Override
  public Encoder encoder(ModelWeights weights, EncoderConfig config) {
    return new ElectraModel(weights, WeightPath.ROOT.child(weightPrefix()), (BertConfig) config);
  }

  @Override
  public Set<AttentionImplementation> attentionImplementations() {
    return EnumSet.allOf(AttentionImplementation.class);
  }

  @Override
  public Pattern ignoredCheckpointKeys() {
    return IGNORED;
  }

  @Override
  public Pattern unusedHeadKeys() {
    return UNUSED_HEADS;
  }

  @Override
  public Set<TokenizerKind> tokenizerKinds() {
    return EnumSet.of(TokenizerKind.WORDPIECE);
  }

  @Override
  public String toString() {
    return modelType();
  }
}
