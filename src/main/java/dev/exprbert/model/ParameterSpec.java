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
 */
public record ParameterSpec(String name, long[] shape, Init init) {

  /** Hugging Face's {@code _init_weights} of the BERT-like families. */
  public enum Init {
    /** normal(0, initializer_range): Linear and Embedding weights. */
    NORMAL,
    /** normal(0, initializer_range) with the padding_idx (pad_token_id) row zeroed: embeddings with a padding_idx. */
    NORMAL_PADDING_ROW_ZERO,
    /** Biases (Linear and LayerNorm). */
    ZEROS,
    /** LayerNorm weights. */
    ONES,
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
