package dev.exprbert.model.bert;

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

/** BERT ({@code model_type "bert"}, {@code BertForTokenClassification}). */
public final class BertFamily extends AbstractModelFamily implements BertKeyedFamily {
  public static final BertFamily BERT = new BertFamily();

  private BertFamily() {
    super("bert", "BERT", "Bert", "bert",
        Pattern.compile("^bert\\.pooler\\..*|.*\\.position_ids$|^bert\\.embeddings\\.token_type_ids$"),
        Pattern.compile("^cls\\..*"), // BertForPreTraining's and BertForMaskedLM's heads
        Set.of(TokenizerKind.WORDPIECE), allBackends());
  }

  @Override
  protected void declareEncoder(List<ParameterSpec> specs, WeightPath prefix, EncoderConfig config) {
    BertModel.declare(specs, prefix, (BertConfig) config);
  }

  @Override
  protected Encoder encoder(ModelWeights weights, WeightPath prefix, EncoderConfig config) {
    return new BertModel(weights, prefix, (BertConfig) config);
  }
}
