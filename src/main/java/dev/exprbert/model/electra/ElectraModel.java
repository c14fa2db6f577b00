package dev.exprbert.model.electra;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertEmbeddings;
import dev.exprbert.model.bert.BertEncoder;
import dev.exprbert.model.nn.Linear;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * HF {@code ElectraModel}: {@code electra.embeddings} (BERT's embeddings computed in {@code embedding_size}: tables
 * [*, embedding_size] and LayerNorm(embedding_size)), then {@code electra.embeddings_project}
 * ({@code Linear(embedding_size -> hidden_size)} with bias, no norm or activation after it; present only when the two
 * sizes differ), then {@code electra.encoder} of BERT's layers.
 */
public final class ElectraModel implements Encoder {
  private final BertEmbeddings embeddings;
  private final Linear embeddingsProject; // null when embedding_size == hidden_size
  private final BertEncoder encoder;

  /** @param path the encoder's prefix ({@code electra}) */
  public ElectraModel(ModelWeights weights, WeightPath path, BertConfig config) {
    this.embeddings = new BertEmbeddings(weights, path.child("embeddings"), config, false);
    this.embeddingsProject = projects(config) ? new Linear(weights, path.child("embeddings_project")) : null;
    this.encoder = new BertEncoder(weights, path.child("encoder"), config);
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    BertEmbeddings.declare(specs, path.child("embeddings"), config, false);
    if (projects(config)) {
      Linear.declare(specs, path.child("embeddings_project"), config.embeddingWidth(), config.hiddenSize(), true);
    }
    BertEncoder.declare(specs, path.child("encoder"), config);
  }

  private static boolean projects(BertConfig config) {
    return config.embeddingWidth() != config.hiddenSize();
  }

  /** The projection belongs to the embeddings' autograd segment: the first layer's input is its output. */
  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    Tensor hidden = embeddings.forward(input.inputIds(), input.tokenTypeIds(), input.positionIds(), run.training());
    if (embeddingsProject != null) {
      try (Tensor narrow = hidden) {
        hidden = embeddingsProject.forward(narrow);
      }
    }
    return encoder.forward(hidden, run);
  }
}
