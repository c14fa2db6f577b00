package dev.exprbert.model;

import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Hugging Face's {@code _init_weights} of the BERT-like families, in one place: Linear and Embedding weights from
 * normal(0, initializer_range), biases zero, LayerNorm weight one, and the padding_idx row of an embedding that has
 * one zero; plus the optional CRF's transition scores from uniform(-0.1, 0.1), as pytorch-crf draws them. Values are
 * drawn on the CPU from a generator seeded per call, so the same seed gives the same model on every device.
 */
public final class HfInit {
  private HfInit() {}

  /** A new float32 CPU tensor initialised as {@code spec} says; the caller owns it. */
  public static Tensor create(ParameterSpec spec, EncoderConfig config, Generator generator) {
    try (TensorOptions options = Placement.CPU_FLOAT32.floatOptions()) {
      Tensor t = Tensors.empty(spec.shape(), options);
      fill(t, spec.init(), config, generator);
      return t;
    }
  }

  /** Initialises {@code t} in place (float32 CPU). */
  static void fill(Tensor t, ParameterSpec.Init init, EncoderConfig config, Generator generator) {
    switch (init) {
      case ZEROS -> t.zero_();
      case ONES -> {
        try (org.bytedeco.pytorch.Scalar one = new org.bytedeco.pytorch.Scalar(1.0)) {
          t.fill_(one);
        }
      }
      case NORMAL, NORMAL_PADDING_ROW_ZERO -> {
        try (GeneratorOptional g = new GeneratorOptional(generator)) {
          t.normal_(0.0, config.initializerRange(), g);
        }
        Integer pad = config.padTokenId();
        if (init == ParameterSpec.Init.NORMAL_PADDING_ROW_ZERO && pad != null && pad >= 0 && pad < t.size(0)) {
          try (Tensor row = t.select(0, pad)) {
            row.zero_();
          }
        }
      }
      case UNIFORM_CRF -> {
        try (GeneratorOptional g = new GeneratorOptional(generator)) {
          t.uniform_(-0.1, 0.1, g);
        }
      }
      default -> throw new AssertionError(init);
    }
  }
}
