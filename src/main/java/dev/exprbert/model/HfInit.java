package dev.exprbert.model;

import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Hugging Face's {@code _init_weights} of the BERT-like families, in one place: Linear and Embedding weights from
 * normal(0, initializer_range), biases zero, LayerNorm weight one, and the padding_idx row of an embedding that has
 * one zero; the truncated normal with a per-tensor std that ModernBERT's uses; plus the optional CRF's transition
 * scores from uniform(-0.1, 0.1), as pytorch-crf draws them. Values are drawn on the CPU from a generator seeded per
 * call, so the same seed gives the same model on every device.
 */
public final class HfInit {
  private HfInit() {}

  /** A new float32 CPU tensor initialised as {@code spec} says; the caller owns it. */
  public static Tensor create(ParameterSpec spec, EncoderConfig config, Generator generator) {
    try (TensorOptions options = Placement.CPU_FLOAT32.floatOptions()) {
      Tensor t = Tensors.empty(spec.shape(), options);
      fill(t, spec, config, generator);
      return t;
    }
  }

  /** Initialises {@code t} in place (float32 CPU). */
  static void fill(Tensor t, ParameterSpec spec, EncoderConfig config, Generator generator) {
    ParameterSpec.Init init = spec.init();
    switch (init) {
      case ZEROS -> t.zero_();
      case ONES -> {
        try (Scalar one = new Scalar(1.0)) {
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
      case TRUNCATED_NORMAL -> truncatedNormal(t, spec.std(), spec.bound(), generator);
      case UNIFORM_CRF -> {
        try (GeneratorOptional g = new GeneratorOptional(generator)) {
          t.uniform_(-0.1, 0.1, g);
        }
      }
      default -> throw new AssertionError(init);
    }
  }

  /**
   * {@code torch.nn.init.trunc_normal_(t, 0, std, -bound, bound)} as PyTorch computes it: uniform values between the
   * normal CDF of the two bounds, mapped through the inverse CDF ({@code erfinv}), then clamped against rounding.
   */
  private static void truncatedNormal(Tensor t, double std, double bound, Generator generator) {
    double upper = normalCdf(bound / std);
    double lower = 1 - upper; // the bounds are symmetric
    try (GeneratorOptional g = new GeneratorOptional(generator)) {
      t.uniform_(2 * lower - 1, 2 * upper - 1, g);
    }
    try (Scalar scale = new Scalar(std * Math.sqrt(2.0));
        Scalar lo = new Scalar(-bound);
        Scalar hi = new Scalar(bound);
        ScalarOptional min = new ScalarOptional(lo);
        ScalarOptional max = new ScalarOptional(hi)) {
      t.erfinv_();
      t.mul_(scale);
      t.clamp_(min, max);
    }
  }

  /** The standard normal CDF (1 + erf(x / sqrt 2)) / 2, with LibTorch's erf in double precision. */
  private static double normalCdf(double x) {
    try (Tensor v = Tensors.floats(new float[] {(float) (x / Math.sqrt(2.0))}, 1);
        Tensor d = v.to(torch.ScalarType.Double);
        Tensor erf = torch.erf(d)) {
      return (1 + erf.item_double()) / 2;
    }
  }
}
