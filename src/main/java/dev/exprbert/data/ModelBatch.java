package dev.exprbert.data;

import dev.exprbert.model.EncoderForTokenClassification;
import org.bytedeco.pytorch.Tensor;

/**
 * Encoded sentences as the model takes them, padded ({@link PaddedBatch}: {@code [batch, seq]} with a padding mask)
 * or packed ({@link PackedBatch}: {@code [total_tokens]}, no padding, cu_seqlens); {@link BatchLayout} picks one.
 * A batch knows how to run itself through the model, so callers (training step, evaluation, inference) never branch
 * on the layout: logits come back padded {@code [batch, seq, labels]} or packed {@code [total_tokens, labels]}, and
 * {@link #rowOf} says where each sentence's tokens start when they are read as {@code [rows, labels]}. Owns its
 * tensors (CPU); the model moves them to its device.
 */
public sealed interface ModelBatch extends AutoCloseable permits PaddedBatch, PackedBatch {

  /** The number of sentences. */
  int size();

  /** The row of sentence {@code sentence}'s first token in the logits read as {@code [rows, num_labels]}. */
  int rowOf(int sentence);

  /** Labels shaped like the logits without their last dimension, -100 where none applies; null when unlabelled. */
  Tensor labels();

  /** Tokens that carry a label (counted on the host). */
  long labelledTokens();

  /** Real tokens (padding excluded). */
  long realTokens();

  /** Tokens the model computes: real plus padding. */
  long computedTokens();

  /** Logits without building a graph (in the model's current train / eval mode); the caller owns them. */
  Tensor logits(EncoderForTokenClassification model);

  /** The layer-wise training pass; close it after its backward. */
  EncoderForTokenClassification.ForwardPass forwardForTraining(EncoderForTokenClassification model);

  @Override
  void close();
}
