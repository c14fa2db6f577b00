package dev.exprbert.train;

import dev.exprbert.io.Safetensors;
import dev.exprbert.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** {@code optimizer.safetensors}: the optimizer's moments, master weights and step count ({@link Optimizer#stateTensors}). */
final class OptimizerPart implements CheckpointPart {
  static final String FILE = "optimizer.safetensors";
  private final Optimizer optimizer;
  private final String optim;

  /** @param optim the {@code optim} setting as written, recorded in the file's metadata */
  OptimizerPart(Optimizer optimizer, String optim) {
    this.optimizer = optimizer;
    this.optim = optim;
  }

  @Override
  public String file() {
    return FILE;
  }

  @Override
  public void save(Path folder) throws IOException {
    Map<String, Tensor> state = optimizer.stateTensors();
    try {
      Safetensors.write(folder.resolve(FILE), state, Map.of("format", "pt", "optim", optim));
    } finally {
      state.values().forEach(Tensor::close);
    }
  }

  @Override
  public void restore(Path checkpoint) throws IOException {
    Map<String, Tensor> state = Safetensors.read(checkpoint.resolve(FILE));
    try {
      optimizer.loadStateTensors(state);
    } finally {
      state.values().forEach(Tensor::close);
    }
  }
}
