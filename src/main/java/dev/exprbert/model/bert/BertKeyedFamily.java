package dev.exprbert.model.bert;

import com.google.gson.JsonObject;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelFamily;

/**
 * A family whose config.json has transformers' {@code BertConfig} keys: BERT itself, RoBERTa and XLM-RoBERTa (whose
 * configuration classes have exactly these keys, with other defaults) and ELECTRA (these plus {@code embedding_size}).
 * Their configs are {@link BertConfig} records; the family says where they differ.
 */
public interface BertKeyedFamily extends ModelFamily {

  /**
   * Rows at the start of the position table no token uses (RoBERTa: padding_idx + 1, so a RoBERTa config needs a
   * pad_token_id); 0 for BERT and ELECTRA.
   */
  default int positionOffset(Integer padTokenId) {
    return 0;
  }

  /** Whether config.json carries {@code embedding_size} (ELECTRA), which it then requires. */
  default boolean hasEmbeddingSize() {
    return false;
  }

  /** transformers' default {@code pad_token_id} of the family's configuration class. */
  default int defaultPadTokenId() {
    return 0;
  }

  @Override
  default EncoderConfig readConfig(JsonObject json, String source) {
    return BertConfigJson.fromJson(json, this, source);
  }
}
