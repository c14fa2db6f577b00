package dev.exprbert.model;

/**
 * Builds checkpoint key names by path, so the module tree spells the Hugging Face keys
 * ({@code bert.encoder.layer.3.attention.self.query.weight}) instead of string literals scattered
 * through the model (candle's {@code vb.pp}).
 */
public record WeightPath(String prefix) {
  public static final WeightPath ROOT = new WeightPath("");

  public WeightPath child(String name) {
    return new WeightPath(prefix.isEmpty() ? name : prefix + "." + name);
  }

  public WeightPath child(int index) {
    return child(Integer.toString(index));
  }

  /** The full key of a tensor under this path, e.g. {@code weight} or {@code bias}. */
  public String key(String tensorName) {
    return child(tensorName).prefix;
  }

  @Override
  public String toString() {
    return prefix;
  }
}
