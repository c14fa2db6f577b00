package dev.exprbert.model;

import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import java.util.Arrays;
import java.util.List;

/**
 * One trainable tensor of a token classifier: its Hugging Face key, shape and how Hugging Face's
 * {@code _init_weights} initialises it. Each family lists its tensors ({@link ModelFamily#parameters}, declared by the
 * module classes that use them); loading checks checkpoints against that list and fresh initialisation walks it, so
 * the two can never disagree.
 *
 * @param std the standard deviation of {@link Init#TRUNCATED_NORMAL}; NaN for the other kinds (a normal init draws
 *     with the config's initializer_range)
 * @param bound {@link Init#TRUNCATED_NORMAL} keeps values in [-bound, bound]; NaN for the other kinds
 */
public record ParameterSpec(String name, long[] shape, Init init, double std, double bound) {

  /** A tensor initialised as the BERT-like families' {@code _init_weights} does ({@code init} is not truncated). */
  public ParameterSpec(String name, long[] shape, Init init) {
    this(name, shape, init, Double.NaN, Double.NaN);
  }

  /** A weight drawn from normal(0, std) truncated to [-bound, bound] (ModernBERT's {@code _init_weights}). */
  public static ParameterSpec truncatedNormal(String name, long[] shape, double std, double bound) {
    return new ParameterSpec(name, shape, Init.TRUNCATED_NORMAL, std, bound);
  }

  /** Hugging Face's {@code _init_weights}: the BERT-like families' kinds, and ModernBERT's truncated normal. */
  public enum Init {
    /** normal(0, initializer_range): Linear and Embedding weights. */
    NORMAL,
    /** normal(0, initializer_range) with the padding_idx (pad_token_id) row zeroed: embeddings with a padding_idx. */
    NORMAL_PADDING_ROW_ZERO,
    /** Biases (Linear and LayerNorm). */
    ZEROS,
    /** LayerNorm weights. */
    ONES,
    /** normal(0, {@link #std}) truncated to [-{@link #bound}, {@link #bound}] ({@code nn.init.trunc_normal_}). */
    TRUNCATED_NORMAL,
    /** uniform(-0.1, 0.1): the CRF's transition scores, as pytorch-crf's {@code reset_parameters} draws them. */
    UNIFORM_CRF
  }

  /**
   * Every trainable tensor of {@code config}'s token classifier, in the order its family declares them, then the CRF's
   * when config.json asks for one ({@link CrfSettings}).
   */
  public static List<ParameterSpec> of(EncoderConfig config) {
    List<ParameterSpec> specs = config.family().parameters(config);
    if (!CrfSettings.of(config).enabled()) {
      return specs;
    }
    List<ParameterSpec> withCrf = new java.util.ArrayList<>(specs);
    LinearChainCrf.declare(withCrf, config.numLabels());
    return List.copyOf(withCrf);
  }

  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
