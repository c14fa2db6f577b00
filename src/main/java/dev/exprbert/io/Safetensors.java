package dev.exprbert.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Entry point for the safetensors format (https://github.com/huggingface/safetensors): whole-file
 * read and write, and {@link #open} for lazy access.
 */
public final class Safetensors {
  private Safetensors() {}

  /**
   * Reads every tensor of a file onto the CPU, in header order. The caller owns the tensors.
   *
   * @throws SafetensorsFormatException when the file breaks the format (the message says how)
   */
  public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
    try (SafetensorsFile open = SafetensorsFile.open(file)) {
      return open.readAll();
    }
  }

  /** Opens a file and validates its header without reading any tensor data. */
  public static SafetensorsFile open(Path file) throws IOException {
    return SafetensorsFile.open(file);
  }

  /**
   * Writes tensors (any device, any layout: non-contiguous or GPU tensors are copied to contiguous CPU
   * memory one at a time) atomically, laid out as the HF library lays them out.
   *
   * @param metadata the {@code __metadata__} strings; HF writers put {@code {"format": "pt"}} there;
   *     null or empty writes none
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    SafetensorsWriter.write(file, tensors, metadata);
  }
}
