package dev.exprbert.io.onnx;

/**
 * An ONNX file that cannot be imported as a BERT encoder: unreadable, truncated, or a graph whose
 * shape is not the one the importer knows. The message names the file, what was expected and what
 * was found. It is an {@link IllegalArgumentException} because the cause is always the input file.
 */
public class OnnxImportException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public OnnxImportException(String message) {
    super(message);
  }

  public OnnxImportException(String message, Throwable cause) {
    super(message, cause);
  }
}
