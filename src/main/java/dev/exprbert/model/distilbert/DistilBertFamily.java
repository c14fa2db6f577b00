package dev.exprbert.model.distilbert;

import com.google.gson.JsonObject;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.AbstractModelFamily;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** DistilBERT ({@code model_type "distilbert"}, {@code DistilBertForTokenClassification}). */
public final class DistilBertFamily extends AbstractModelFamily {
  public static final DistilBertFamily DISTILBERT = new DistilBertFamily();

  private DistilBertFamily() {
    super("distilbert", "DistilBERT", "DistilBert", "distilbert", Pattern.compile(".*\\.position_ids$"),
        // DistilBertForMaskedLM's head
        Pattern.compile("^vocab_transform\\..*|^vocab_layer_norm\\..*|^vocab_projector\\..*"),
        Set.of(TokenizerKind.WORDPIECE), allBackends());
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
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    DistilBertModel.declare(specs, prefix, (DistilBertConfig) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new DistilBertModel(weights, prefix, (DistilBertConfig) config);
  }
}
