package dev.exprbert.model.roberta;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertEmbeddings;
import dev.exprbert.model.bert.BertEncoder;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * HF {@code RobertaModel} (and {@code XLMRobertaModel}) without its pooler: {@code roberta.embeddings}
 * ({@link RobertaEmbeddings}), then {@code roberta.encoder}, BERT's layers.
 */
public final class RobertaModel implements Encoder {
  private final RobertaEmbeddings embeddings;
  private final BertEncoder encoder;

  /** @param path the encoder's prefix ({@code roberta}, for XLM-R too) */
  public RobertaModel(ModelWeights weights, WeightPath path, BertConfig config) {
    this.embeddings = new RobertaEmbeddings(weights, path.child("embeddings"), config);
    this.encoder = new BertEncoder(weights, path.child("encoder"), config);
  }

  /** Both RoBERTa tables have padding_idx = pad_token_id, whose row {@code _init_weights} zeroes. */
  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    BertEmbeddings.declare(specs, path.child("embeddings"), config, true);
    BertEncoder.declare(specs, path.child("encoder"), config);
  }

  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    return encoder.forward(embeddings.forward(input, run.training()), run);
  }
}
