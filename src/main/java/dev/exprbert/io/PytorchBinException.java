package dev.exprbert.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A pytorch_model.bin that cannot be turned into a name-to-tensor map. The message starts with the
 * file. When the file is fine for Python but holds something this reader does not read (the legacy
 * format, other Python objects), it ends with the Python command that converts it to safetensors; a
 * corrupt or crafted file (a tensor that reaches past its storage, a broken zip) gets no such hint,
 * because Python would fail on it too.
 */
public final class PytorchBinException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An unsupported but well-formed file: the message carries the conversion command. */
  public PytorchBinException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem + "\nConvert it to safetensors once with Python (torch and safetensors installed):\n  "
        + PytorchBin.conversionCommand(file), cause);
  }

  private PytorchBinException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A corrupt or crafted file: one line naming the file and what is wrong. */
  public static PytorchBinException corrupt(Path file, String problem, Throwable cause) {
    return new PytorchBinException(file + ": not a valid torch.save file: " + problem, cause);
  }
}
