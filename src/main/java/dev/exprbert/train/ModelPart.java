package dev.exprbert.train;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The model directory files of a checkpoint ({@code config.json}, {@code model.safetensors}, tokenizer files); a
 * checkpoint resumes a run only with the model's labels, and its weights are copied into the model's parameters in
 * place (the optimizer keeps its references).
 */
final class ModelPart implements CheckpointPart {
  private final EncoderForTokenClassification model;
  private final ModelTokenizer tokenizer;

  ModelPart(EncoderForTokenClassification model, ModelTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  @Override
  public String file() {
    return ModelDirectory.SAFETENSORS;
  }

  @Override
  public void save(Path folder) throws IOException {
    ModelDirectory.save(folder, model.config(), model.weights().asMap());
    tokenizer.save(folder);
  }

  @Override
  public void check(Path checkpoint) throws IOException {
    EncoderConfig saved = ModelDirectory.readConfig(checkpoint);
    List<String> labels = model.config().labels();
    if (!saved.labels().equals(labels)) {
      throw new IllegalArgumentException("cannot resume from " + checkpoint + ": it was trained with labels " + saved.labels()
          + " but this run has labels " + labels + " (resume with the same data, or start a new run)");
    }
  }

  @Override
  public void restore(Path checkpoint) throws IOException {
    loadWeights(checkpoint);
  }

  /** The model's parameter tensors, in checkpoint order (borrowed). */
  List<Tensor> parameters() {
    return List.copyOf(model.weights().asMap().values());
  }

  /** Copies the weights of a checkpoint into the model's parameters, in place. */
  void loadWeights(Path dir) throws IOException {
    Map<String, Tensor> weights = ModelDirectory.readWeights(dir);
    try (NoGradGuard noGrad = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : model.weights().asMap().entrySet()) {
        Tensor source = weights.get(e.getKey());
        if (source == null) {
          throw new IllegalArgumentException(dir + " has no weight '" + e.getKey() + "'");
        }
        if (!Arrays.equals(Tensors.shape(source), Tensors.shape(e.getValue()))) {
          throw new IllegalArgumentException(dir + ": weight '" + e.getKey() + "' has shape " + Tensors.shapeString(source)
              + " but the model needs " + Tensors.shapeString(e.getValue()));
        }
        // copy_ returns the parameter's own Java object (JavaCPP returns `this` for a self reference): never close it
        e.getValue().copy_(source);
      }
    } finally {
      weights.values().forEach(Tensor::close);
    }
  }
}
