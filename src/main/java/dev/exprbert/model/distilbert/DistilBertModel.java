package dev.exprbert.model.distilbert;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * HF {@code DistilBertModel}: {@code distilbert.embeddings}, then the {@code Transformer} of
 * {@link TransformerBlock}s under {@code distilbert.transformer.layer.N}. Token type ids are ignored (it has none).
 */
public final class DistilBertModel implements Encoder {
  private final DistilBertEmbeddings embeddings;
  private final List<TransformerBlock> layers;

  /** @param path the encoder's prefix ({@code distilbert}) */
  public DistilBertModel(ModelWeights weights, WeightPath path, DistilBertConfig config) {
    this.embeddings = new DistilBertEmbeddings(weights, path.child("embeddings"), config);
    List<TransformerBlock> built = new ArrayList<>();
    for (int i = 0; i < config.nLayers(); i++) {
      built.add(new TransformerBlock(weights, path.child("transformer").child("layer").child(i), config));
    }
    this.layers = List.copyOf(built);
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, DistilBertConfig config) {
    DistilBertEmbeddings.declare(specs, path.child("embeddings"), config);
    for (int i = 0; i < config.nLayers(); i++) {
      TransformerBlock.declare(specs, path.child("transformer").child("layer").child(i), config);
    }
  }

  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    Tensor hidden = embeddings.forward(input.inputIds(), input.positionIds(), run.training());
    return run.layers(hidden, layers);
  }
}
