package dev.exprbert.model;

import dev.exprbert.model.attention.AttentionMask;
import org.bytedeco.pytorch.Tensor;

/**
 * One batch as the encoder sees it, on the model's device; borrowed for one forward pass.
 *
 * @param inputIds [batch, seq] int64, or [total_tokens] for a packed batch
 * @param tokenTypeIds like inputIds (zeros when the batch has none)
 * @param positionIds the plain positions 0, 1, ... of each token in its sequence: [seq] for a padded batch,
 *     [total_tokens] restarting at 0 per sequence for a packed one (a family with another rule, such as RoBERTa's
 *     ids from padding_idx + 1, derives its own from these and the ids)
 * @param mask the attention mask of the batch (padded or packed)
 */
public record EncoderInput(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, AttentionMask mask) {

  /** Whether this is a packed (padding-free) batch. */
  public boolean isPacked() {
    return mask.isPacked();
  }
}
