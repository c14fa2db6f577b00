package dev.exprbert.model.roberta;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigException;
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
 * RoBERTa ({@code model_type "roberta"}) and XLM-RoBERTa ({@code "xlm-roberta"}): one computation, BERT's config keys
 * and layers with {@link RobertaEmbeddings}' position ids; the checkpoint prefix is {@code roberta.} for both. They
 * differ in their class names and tokenizers (byte-level BPE, SentencePiece Unigram).
 */
public final class RobertaFamily implements BertKeyedFamily {
  public static final RobertaFamily ROBERTA = new RobertaFamily("roberta", "RoBERTa", "Roberta", TokenizerKind.BYTE_LEVEL_BPE);
  public static final RobertaFamily XLM_ROBERTA =
      new RobertaFamily("xlm-roberta", "XLM-RoBERTa", "XLMRoberta", TokenizerKind.UNIGRAM);

  private static final Pattern IGNORED =
      Pattern.compile("^roberta\\.pooler\\..*|.*\\.position_ids$|^roberta\\.embeddings\\.token_type_ids$");
  /** RobertaForMaskedLM's head. */
  private static final Pattern UNUSED_HEADS = Pattern.compile("^lm_head\\..*");

  private final String modelType;
  private final String displayName;
  private final String classStem;
  private final TokenizerKind tokenizer;

  private RobertaFamily(String modelType, String displayName, String classStem, TokenizerKind tokenizer) {
    this.modelType = modelType;
    this.displayName = displayName;
    this.classStem = classStem;
    this.tokenizer = tokenizer;
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
    return "roberta";
  }

  /** Positions start at padding_idx + 1: the table's first pad + 1 rows are never a token's. */
  @Override
  public int positionOffset(Integer padTokenId) {
    if (padTokenId == null) {
      throw new ModelConfigException("pad_token_id: required for model_type \"" + modelType + "\" (its position ids"
          + " start at pad_token_id + 1); expected an integer, found null");
    }
    return padTokenId + 1;
  }

  @Override
  public int defaultPadTokenId() {
    return 1;
  }

  @Override
  public List<ParameterSpec> parameters(EncoderConfig config) {
    BertConfig c = (BertConfig) config;
    List<ParameterSpec> specs = new ArrayList<>();
    RobertaModel.declare(specs, WeightPath.ROOT.child(weightPrefix()), c);
    DropoutLinearHead.declare(specs, WeightPath.ROOT.child("classifier"), c.hiddenSize(), c.numLabels());
    return List.copyOf(specs);
  }

  @Override
  public Encoder encoder(ModelWeights weights, EncoderConfig config) {
    return new RobertaModel(weights, WeightPath.ROOT.child(weightPrefix()), (BertConfig) config);
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
    return EnumSet.of(tokenizer);
  }

  @Override
  public String toString() {
    return modelType;
  }
}
