package dev.exprbert.model.bert;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** HF {@code BertModel} without its pooler: {@code bert.embeddings}, then {@code bert.encoder}. */
public final class BertModel implements Encoder {
  private final BertEmbeddings embeddings;
  private final BertEncoder encoder;

  /** @param path the encoder's prefix ({@code bert}) */
  public BertModel(ModelWeights weights, WeightPath path, BertConfig config) {
    this.embeddings = new BertEmbeddings(weights, path.child("embeddings"), config, false);
    this.encoder = new BertEncoder(weights, path.child("encoder"), config);
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    BertEmbeddings.declare(specs, path.child("embeddings"), config, false);
    BertEncoder.declare(specs, path.child("encoder"), config);
  }

  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    Tensor hidden = embeddings.forward(input.inputIds(), input.tokenTypeIds(), input.positionIds(), run.training());
    return encoder.forward(hidden, run);
  }
}
