package dev.exprbert.model.bert;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.nn.DropoutLinearHead;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** BERT ({@code model_type "bert"}, {@code BertForTokenClassification}). */
public final class BertFamily implements BertKeyedFamily {
  public static final BertFamily BERT = new BertFamily();

  private static final Pattern IGNORED =
      Pattern.compile("^bert\\.pooler\\..*|.*\\.position_ids$|^bert\\.embeddings\\.token_type_ids$");
  private static final Pattern UNUSED_HEADS = Pattern.compile("^cls\\..*");

  private BertFamily() {}

  @Override
  public String modelType() {
    return "bert";
  }

  @Override
  public String displayName() {
    return "BERT";
  }

  @Override
  public String tokenClassificationClass() {
    return "BertForTokenClassification";
  }

  @Override
  public String baseModelClass() {
    return "BertModel";
  }

  @Override
  public String weightPrefix() {
    return "bert";
  }

  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    BertConfig bert = (BertConfig) config;
    List<ParameterSpec> specs = new ArrayList<>();
    BertModel.declare(specs, WeightPath.ROOT.child(weightPrefix()), bert);
    DropoutLinearHead.declare(specs, WeightPath.ROOT.child("classifier"), bert.hiddenSize(), bert.numLabels());
    return List.copyOf(specs);
  }

  @Override
  public Encoder encoder(ModelWeights weights, EncoderConfig config) {
    return new BertModel(weights, WeightPath.ROOT.child(weightPrefix()), (BertConfig) config);
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
