package dev.exprbert.model.modernbert;

import com.google.gson.JsonObject;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.AbstractModelFamily;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.TokenClassificationHead;
import dev.exprbert.model.WeightPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ModernBERT ({@code model_type "modernbert"}, {@code ModernBertForTokenClassification}): pre-LayerNorm layers with a
 * fused Wqkv, RoPE per layer type, sliding-window (local) attention on most layers, GeGLU MLPs, no biases by default,
 * a final LayerNorm and a prediction head ({@code head.}) before the classifier. Every attention backend fits: RoPE is
 * applied to q and k before the backend, and each backend takes the local layers' window (the fused kernel packed
 * too, ModernBERT's own unpadded design).
 */
public final class ModernBertFamily extends AbstractModelFamily {
  public static final ModernBertFamily MODERNBERT = new ModernBertFamily();

  private ModernBertFamily() {
    super("modernbert", "ModernBERT", "ModernBert", "model",
        Pattern.compile(".*rotary_emb\\..*inv_freq$"), // buffers, never persistent in transformers
        Pattern.compile("^decoder\\..*"), // ModernBertForMaskedLM's decoder (its head.* is this head)
        Set.of(TokenizerKind.BYTE_LEVEL_BPE), allBackends());
  }

  @Override
  public EncoderConfig readConfig(JsonObject json, String source) {
    return ModernBertConfigJson.fromJson(json, source);
  }

  /** {@code model.*}, then {@code head.*} and {@code classifier.*}, in transformers' order. */
  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    List<ParameterSpec> specs = new ArrayList<>();
    declareEncoder(specs, WeightPath.ROOT.child(weightPrefix()), config);
    ModernBertTokenClassificationHead.declare(specs, (ModernBertConfig) config);
    return List.copyOf(specs);
  }

  /** A bare {@code ModernBertModel} checkpoint has neither {@code head.*} nor {@code classifier.*}: both start fresh. */
  @Override
  public boolean isHeadParameter(String name) {
    return name.startsWith("head.") || super.isHeadParameter(name);
  }

  @Override
  public TokenClassificationHead head(ModelWeights weights, EncoderConfig config) {
    return new ModernBertTokenClassificationHead(weights, (ModernBertConfig) config);
  }

  @Override
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    ModernBertModel.declare(specs, prefix, (ModernBertConfig) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new ModernBertModel(weights, prefix, (ModernBertConfig) config);
  }
}
