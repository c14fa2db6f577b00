package dev.exprbert.model;

import com.google.gson.JsonObject;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.nn.DropoutLinearHead;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An encoder family (BERT, RoBERTa, DistilBERT...): everything that differs between them, behind one interface, so
 * that {@link EncoderForTokenClassification}, {@link CheckpointLoader}, {@link ModelDirectory} and the commands never
 * branch on a model type. A family is chosen from config.json's {@code model_type} ({@link ModelFamilies}); it reads
 * its own config keys, lists its tensors under Hugging Face's names, builds its module tree (one small set of classes
 * named after transformers' modules, in the family's package), and says which attention backends and tokenizers fit
 * it.
 *
 * <p>Adding a family: a package {@code model/<family>} with its config record (implementing {@link EncoderConfig}),
 * its modules (an {@link Encoder} whose layers are {@link EncoderLayer}s, built from the shared pieces in
 * {@code model/nn} where the computation is the same), and a singleton implementing this interface, listed in
 * {@link ModelFamilies#ALL}; then a parity test against the family's fixture.
 */
public interface ModelFamily {

  /** config.json's {@code model_type} ({@code "roberta"}). */
  String modelType();

  /** How people write the family's name ({@code "RoBERTa"}), for the model card and {@code info}. */
  String displayName();

  /** transformers' token-classification class ({@code "RobertaForTokenClassification"}), written to config.json. */
  String tokenClassificationClass();

  /** transformers' bare encoder class ({@code "RobertaModel"}), written by converters of pretrained encoders. */
  String baseModelClass();

  /** The key prefix of the encoder in a token classifier checkpoint ({@code base_model_prefix}: {@code "roberta"}). */
  String weightPrefix();

  /** The config.json key of the layer count, for messages ({@code num_hidden_layers}, DistilBERT's {@code n_layers}). */
  default String layersKey() {
    return "num_hidden_layers";
  }

  /**
   * This family's config from its config.json keys; the caller has checked {@code model_type}.
   *
   * @param source names the file in warnings
   * @throws ModelConfigException naming the first bad or missing field
   */
  EncoderConfig readConfig(JsonObject json, String source);

  /** Every trainable tensor of the token classifier, in Hugging Face's order. */
  List<ParameterSpec> parameters(EncoderConfig config);

  /** The encoder's module tree over {@code weights} (borrowed: the modules never close them). */
  Encoder encoder(ModelWeights weights, EncoderConfig config);

  /** The token-classification head: dropout and {@code classifier} on every token, unless the family says otherwise. */
  default TokenClassificationHead head(ModelWeights weights, EncoderConfig config) {
    return new DropoutLinearHead(weights, WeightPath.ROOT.child("classifier"), config.effectiveClassifierDropout());
  }

  /** The attention backends this family's attention fits. */
  Set<AttentionImplementation> attentionImplementations();

  /**
   * Refuses a backend this family cannot run, in one line naming the family and what it supports (never a silent
   * fallback to another backend).
   */
  default void requireAttention(AttentionImplementation implementation) {
    if (!attentionImplementations().contains(implementation)) {
      throw new IllegalArgumentException("--attention " + implementation + " is not available for " + displayName()
          + " (model_type \"" + modelType() + "\"); it supports " + attentionImplementations().stream()
          .map(AttentionImplementation::hfName).sorted().collect(Collectors.joining(", ")));
    }
  }

  /**
   * Checkpoint keys {@code from_pretrained} drops for this family's token classifier without complaint (a pooler,
   * non-persistent buffers such as {@code position_ids}).
   */
  Pattern ignoredCheckpointKeys();

  /** Pre-training heads ({@code cls.*}, {@code lm_head.*}...): reported as unused, as Hugging Face does. */
  Pattern unusedHeadKeys();

  /**
   * Whether {@code name} is a tensor of the token-classification head on top of the encoder, which fine-tuning from a
   * checkpoint without it (a pretrained encoder) initialises afresh, as {@code from_pretrained} does:
   * {@code classifier.*} unless the family's head has more.
   */
  default boolean isHeadParameter(String name) {
    return name.startsWith("classifier.");
  }

  /** The tokenizer models this family's checkpoints come with (WordPiece for BERT, byte-level BPE for RoBERTa...). */
  Set<TokenizerKind> tokenizerKinds();

  /**
   * The layer-wise backward group of parameter {@code name} in an encoder of {@code layers} layers
   * ({@link EncoderForTokenClassification#backwardGroups}): 0 the head ({@code classifier.*}), {@code layers - N} the
   * parameters of layer N ({@code ….layer.N.…} or {@code ….layers.N.…}), {@code layers + 1} everything else (what
   * runs before the first layer, or is used by every layer; its gradient is final last). A family with parameters
   * that only run after the last layer may put them in group 1 to start their all-reduce earlier.
   */
  default int backwardGroup(String name, int layers) {
    java.util.regex.Matcher layer = LAYER_INDEX.matcher(name);
    if (layer.find()) {
      return layers - Integer.parseInt(layer.group(1));
    }
    return name.startsWith("classifier.") ? 0 : layers + 1;
  }

  /** {@code .layer.N.} or {@code .layers.N.}: the encoder layer a parameter belongs to. */
  java.util.regex.Pattern LAYER_INDEX = java.util.regex.Pattern.compile("\\.layers?\\.(\\d+)\\.");
}
