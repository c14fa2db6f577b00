package dev.exprbert.model;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.nn.DropoutLinearHead;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What most families differ in is data: their names, checkpoint prefix, the keys Hugging Face drops or reports, the
 * tokenizer kinds and attention backends that fit. This base holds that data and the parameter list of an encoder
 * with BERT-like families' head (the encoder's tensors under the prefix, then {@code classifier}); a family adds its
 * config reader, its encoder's declarations and its module tree.
 */
public abstract class AbstractModelFamily implements ModelFamily {
  private final String modelType;
  private final String displayName;
  private final String classStem;
  private final String weightPrefix;
  private final Pattern ignoredCheckpointKeys;
  private final Pattern unusedHeadKeys;
  private final Set<TokenizerKind> tokenizerKinds;
  private final Set<AttentionImplementation> attentionImplementations;

  /**
   * @param classStem transformers' class names without their suffix ({@code "Roberta"}: {@code RobertaModel},
   *     {@code RobertaForTokenClassification})
   */
  protected AbstractModelFamily(String modelType, String displayName, String classStem, String weightPrefix,
      Pattern ignoredCheckpointKeys, Pattern unusedHeadKeys, Set<TokenizerKind> tokenizerKinds,
      Set<AttentionImplementation> attentionImplementations) {
    this.modelType = modelType;
    this.displayName = displayName;
    this.classStem = classStem;
    this.weightPrefix = weightPrefix;
    this.ignoredCheckpointKeys = ignoredCheckpointKeys;
    this.unusedHeadKeys = unusedHeadKeys;
    this.tokenizerKinds = Set.copyOf(tokenizerKinds);
    this.attentionImplementations = Set.copyOf(attentionImplementations);
  }

  /** Every backend: eager, sdpa and fused (padded and packed), for a family whose attention is plain softmax attention. */
  protected static Set<AttentionImplementation> allBackends() {
    return EnumSet.allOf(AttentionImplementation.class);
  }

  /** Declares the encoder's tensors under {@code prefix} (the family's {@code weightPrefix()}). */
  protected abstract void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config);

  /** Builds the encoder's modules under {@code prefix}. */
  protected abstract Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config);

  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    List<ParameterSpec> specs = new ArrayList<>();
    declareEncoder(specs, WeightPath.ROOT.child(weightPrefix), config);
    DropoutLinearHead.declare(specs, WeightPath.ROOT.child("classifier"), config.hiddenSize(), config.numLabels());
    return List.copyOf(specs);
  }

  @Override
  public Encoder encoder(ModelWeights weights, EncoderConfig config) {
    return encoder(weights, WeightPath.ROOT.child(weightPrefix), config);
  }

  @Override
  public String modelType() {
    return modelType;
  }

  @Override
  public String displayName() {
    return displayName;
  }

  @Override
  public String tokenClassificationClass() {
    return classStem + "ForTokenClassification";
  }

  @Override
  public String baseModelClass() {
    return classStem + "Model";
  }

  @Override
  public String weightPrefix() {
    return weightPrefix;
  }

  @Override
  public Set<AttentionImplementation> attentionImplementations() {
    return attentionImplementations;
  }

  @Override
  public Pattern ignoredCheckpointKeys() {
    return ignoredCheckpointKeys;
  }

  @Override
  public Pattern unusedHeadKeys() {
    return unusedHeadKeys;
  }

  @Override
  public Set<TokenizerKind> tokenizerKinds() {
    return tokenizerKinds;
  }

  @Override
  public String toString() {
    return modelType;
  }
}
