package dev.exprbert.model.roberta;

import dev.exprbert.io.TokenizerKind;
import dev.exprbert.model.AbstractModelFamily;
import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertKeyedFamily;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * RoBERTa ({@code model_type "roberta"}) and XLM-RoBERTa ({@code "xlm-roberta"}): one computation, BERT's config keys
 * and layers with {@link RobertaEmbeddings}' position ids; the checkpoint prefix is {@code roberta.} for both. They
 * differ in their class names and tokenizers (byte-level BPE, SentencePiece Unigram).
 */
public final class RobertaFamily extends AbstractModelFamily implements BertKeyedFamily {
  public static final RobertaFamily ROBERTA = new RobertaFamily("roberta", "RoBERTa", "Roberta", TokenizerKind.BYTE_LEVEL_BPE);
  public static final RobertaFamily XLM_ROBERTA =
      new RobertaFamily("xlm-roberta", "XLM-RoBERTa", "XLMRoberta", TokenizerKind.UNIGRAM);

  private RobertaFamily(String modelType, String displayName, String classStem, TokenizerKind tokenizer) {
    super(modelType, displayName, classStem, "roberta",
        Pattern.compile("^roberta\\.pooler\\..*|.*\\.position_ids$|^roberta\\.embeddings\\.token_type_ids$"),
        Pattern.compile("^lm_head\\..*"), // RobertaForMaskedLM's head
        Set.of(tokenizer), allBackends());
  }

  /** Positions start at padding_idx + 1: the table's first pad + 1 rows are never a token's. */
  @Override
  public int positionOffset(Integer padTokenId) {
    if (padTokenId == null) {
      throw new ModelConfigException("pad_token_id: required for model_type \"" + modelType() + "\" (its position ids"
          + " start at pad_token_id + 1); expected an integer, found null");
    }
    return padTokenId + 1;
  }

  @Override
  public int defaultPadTokenId() {
    return 1;
  }

  @Override
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    RobertaModel.declare(specs, prefix, (BertConfig) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new RobertaModel(weights, prefix, (BertConfig) config);
  }
}
