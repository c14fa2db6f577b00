package dev.exprbert.model;

import dev.exprbert.io.PytorchBin;
import dev.exprbert.io.Safetensors;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A Hugging Face model directory: {@code config.json} plus {@code model.safetensors} (or a
 * {@code pytorch_model.bin} that LibTorch can read without executing code). Tokenizer files are
 * handled by {@link dev.exprbert.io.TokenizerLoader}.
 */
public final class ModelDirectory {
  public static final String CONFIG = "config.json";
  public static final String SAFETENSORS = "model.safetensors";
  public static final String PYTORCH_BIN = "pytorch_model.bin";

  private ModelDirectory() {}

  public static BertConfig readConfig(Path dir) throws IOException {
    Path config = dir.resolve(CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new NoSuchFileException(config.toString(), null,
          "not a Hugging Face model directory: " + CONFIG + " is missing in " + dir.toAbsolutePath());
    }
    return BertConfig.read(config);
  }

  /** The checkpoint's tensors on the CPU, in file order; the caller closes them. */
  public static LinkedHashMap<String, Tensor> readWeights(Path dir) throws IOException {
    Path safetensors = dir.resolve(SAFETENSORS);
    if (Files.isRegularFile(safetensors)) {
      return Safetensors.read(safetensors);
    }
    Path bin = dir.resolve(PYTORCH_BIN);
    if (Files.isRegularFile(bin)) {
      return PytorchBin.read(bin);
    }
    throw new NoSuchFileException(dir.toString(), null,
        "no weights in " + dir.toAbsolutePath() + ": expected " + SAFETENSORS + " or " + PYTORCH_BIN);
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (float32, contiguous, CPU) into
   * {@code dir}, each file atomically (temporary file, then rename).
   */
  public static void save(Path dir, BertConfig config, Map<String, Tensor> weights) throws IOException {
    Files.createDirectories(dir);
    LinkedHashMap<String, Tensor> cpu = new LinkedHashMap<>();
    try (Device host = new Device("cpu")) {
      for (Map.Entry<String, Tensor> e : weights.entrySet()) {
        try (Tensor detached = e.getValue().detach()) {
          cpu.put(e.getKey(), Tensors.copyTo(detached, host, torch.ScalarType.Float));
        }
      }
      Safetensors.write(dir.resolve(SAFETENSORS), cpu, Map.of("format", "pt"));
    } finally {
      cpu.values().forEach(Tensor::close);
    }
    config.write(dir.resolve(CONFIG));
  }
}
