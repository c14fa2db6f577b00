package dev.exprbert.model;

/**
 * A BERT configuration that cannot be used: a config.json field of the wrong type or value, a missing
 * required size, or an inconsistent combination. The message names the file (when there is one), the
 * field, what was expected and what was found.
 */
public final class BertConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BertConfigException(String message) {
    super(message);
  }

  public BertConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
