package dev.exprbert.model.modernbert;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The attention of one ModernBERT layer, by transformers' {@code layer_types} names: global ({@code full_attention},
 * every token sees the whole sequence) or local ({@code sliding_attention}, a token sees the {@code local_attention / 2}
 * tokens on each side). Each type has its own RoPE theta ({@code rope_parameters}).
 */
public enum ModernBertLayerType {
  FULL_ATTENTION("full_attention"),
  SLIDING_ATTENTION("sliding_attention");

  private final String hfName;

  ModernBertLayerType(String hfName) {
    this.hfName = hfName;
  }

  /** The name in config.json's {@code layer_types} and {@code rope_parameters}. */
  public String hfName() {
    return hfName;
  }

  /** Null when {@code name} is not a layer type ModernBERT has. */
  public static ModernBertLayerType fromHfName(String name) {
    for (ModernBertLayerType t : values()) {
      if (t.hfName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** "full_attention", "sliding_attention", for messages. */
  public static String supportedNames() {
    return Arrays.stream(values()).map(t -> "\"" + t.hfName + "\"").collect(Collectors.joining(", "));
  }

  /**
   * transformers' derivation from the Hub's {@code global_attn_every_n_layers}: layer {@code i} is global when
   * {@code i % n == 0}.
   */
  public static ModernBertLayerType ofLayer(int layer, int globalAttnEveryNLayers) {
    return layer % globalAttnEveryNLayers == 0 ? FULL_ATTENTION : SLIDING_ATTENTION;
  }
}
