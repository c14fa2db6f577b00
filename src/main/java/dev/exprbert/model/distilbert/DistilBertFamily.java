package dev.exprbert.model.distilbert;

import com.google.gson.JsonObject;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelFamily;
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

/** DistilBERT ({@code model_type "distilbert"}, {@code DistilBertForTokenClassification}). */
public final class DistilBertFamily implements ModelFamily {
  public static final DistilBertFamily DISTILBERT = new DistilBertFamily();

  private static final Pattern IGNORED = Pattern.compile(".*\\.position_ids$");
  /** DistilBertForMaskedLM's head. */
  private static final Pattern UNUSED_HEADS =
      Pattern.compile("^vocab_transform\\..*|^vocab_layer_norm\\..*|^vocab_projector\\..*");

  private DistilBertFamily() {}

  @Override
  public String modelType() {
    return "distilbert";
  }

  @Override
  public String displayName() {
    return "DistilBERT";
  }

  @Override
  public String tokenClassificationClass() {
    return "DistilBertForTokenClassification";
  }

  @Override
  public String baseModelClass() {
    return "DistilBertModel";
  }

  @Override
  public String weightPrefix() {
    return "distilbert";
  }

  @Override
  public String layersKey() {
    return "n_layers";
  }

  @Override
  public EncoderConfig readConfig(JsonObject json, String source) {
    return DistilBertConfigJson.fromJson(json, source);
  }

  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    DistilBertConfig c = (DistilBertConfig) config;
    List<ParameterSpec> specs = new ArrayList<>();
    DistilBertModel.declare(specs, WeightPath.ROOT.child(weightPrefix()), c);
    DropoutLinearHead.declare(specs, WeightPath.ROOT.child("classifier"), c.dim(), c.numLabels());
    return List.copyOf(specs);
  }

  @Override
  public Encoder encoder(ModelWeights weights, EncoderConfig config) {
    return new DistilBertModel(weights, WeightPath.ROOT.child(weightPrefix()), (DistilBertConfig) config);
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
