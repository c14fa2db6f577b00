package dev.exprbert.metrics;

/**
 * A label that strict mode (or scheme detection) cannot read: seqeval raises {@code KeyError} for
 * an unknown prefix and {@code ValueError} for a prefix the scheme does not allow. Both become this
 * exception, naming the label, where it is and the scheme.
 */
public final class InvalidTagException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String label;
  private final int sentence;
  private final int position;

  InvalidTagException(String message, String label, int sentence, int position) {
    super(message);
    this.label = label;
    this.sentence = sentence;
    this.position = position;
  }

  /** The offending label as given. */
  public String label() {
    return label;
  }

  /** 0-based sentence index of the label. */
  public int sentence() {
    return sentence;
  }

  /** 0-based token position of the label inside its sentence. */
  public int position() {
    return position;
  }
}
