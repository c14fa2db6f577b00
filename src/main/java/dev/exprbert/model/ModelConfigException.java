package dev.exprbert.model;

/**
 * A model configuration that cannot be used, whatever its family: a config.json field of the wrong type or value, a
 * missing required size (or family-specific key), an unknown model_type, or an inconsistent combination. The message
 * names the file (when there is one), the field, what was expected and what was found.
 */
public final class ModelConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ModelConfigException(String message) {
    super(message);
  }

  public ModelConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
