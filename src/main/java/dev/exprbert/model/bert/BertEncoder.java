package dev.exprbert.model.bert;

import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** The stack of {@link BertLayer}s under {@code encoder.layer.N} (HF {@code BertEncoder}; also RoBERTa's and ELECTRA's). */
public final class BertEncoder {
  private final List<BertLayer> layers;

  /** @param path the encoder's path ({@code bert.encoder}) */
  public BertEncoder(ModelWeights weights, WeightPath path, BertConfig config) {
    List<BertLayer> built = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      built.add(new BertLayer(weights, path.child("layer").child(i), config));
    }
    this.layers = List.copyOf(built);
  }

  public static void declare(List<ParameterSpec> specs, WeightPath path, BertConfig config) {
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      BertLayer.declare(specs, path.child("layer").child(i), config);
    }
  }

  /** Runs the layers on {@code hidden} (consumed, {@link EncoderRun#layers}). */
  public Tensor forward(Tensor hidden, EncoderRun run) {
    return run.layers(hidden, layers);
  }
}
