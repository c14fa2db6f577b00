package dev.exprbert.io;

import java.io.IOException;
import java.nio.file.Path;

/** A pytorch_model.bin that LibTorch's restricted loader cannot turn into a name-to-tensor map. */
public final class PytorchBinException extends IOException {
  private static final long serialVersionUID = 1L;

  public PytorchBinException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem + "\nConvert it to safetensors once with Python (torch and safetensors installed):\n  "
        + PytorchBin.conversionCommand(file), cause);
  }
}
