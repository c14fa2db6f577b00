package dev.exprbert.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that breaks the format: the message names the file, then what was expected and
 * what was found. An {@link IOException}, because a bad file is an input problem the caller reports,
 * like a file that cannot be read.
 */
public final class SafetensorsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Path file;

  public SafetensorsFormatException(Path file, String problem) {
    super(file + ": not a valid safetensors file: " + problem);
    this.file = file;
  }

  /** The file that failed validation. */
  public Path file() {
    return file;
  }
}
