package dev.exprbert.model;

import dev.exprbert.runtime.Tensors;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The model input of a packed (padding-free) batch: every sequence's tokens concatenated, sequence b
 * holding rows {@code [cuSeqlens[b], cuSeqlens[b+1])} (FlashAttention's layout), and position ids that restart
 * at 0 for each sequence. Borrows its tensors (a {@code dev.exprbert.data.PackedBatch} owns them).
 *
 * @param inputIds [total_tokens] int64
 * @param tokenTypeIds [total_tokens] int64, or null for all zeros
 * @param positionIds [total_tokens] int64, 0, 1, ... within each sequence (a family with another position rule, such as
 *     RoBERTa's, derives its own from these), each below the model's longest sequence
 * @param cuSeqlens [batch + 1] int32 CPU start offsets: 0 first, non-decreasing, total_tokens last
 * @param maxSeqlen the longest sequence (at least every cuSeqlens[b+1] - cuSeqlens[b])
 */
public record PackedSequences(Tensor inputIds, Tensor tokenTypeIds, Tensor positionIds, Tensor cuSeqlens, long maxSeqlen) {

  public PackedSequences {
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(positionIds, "positionIds");
    Objects.requireNonNull(cuSeqlens, "cuSeqlens");
  }

  /** The number of sequences. */
  public long batchSize() {
    return cuSeqlens.size(0) - 1;
  }

  /** The number of tokens of all sequences together. */
  public long totalTokens() {
    return inputIds.size(0);
  }

  /**
   * Checks shapes, dtypes and the offsets against the token count and {@code maxSequenceLength} (the tokens one
   * sequence may hold); the message names the argument, the rule and the values. Reads cu_seqlens on the host
   * (batch + 1 ints).
   */
  void check(long maxSequenceLength) {
    if (inputIds.dim() != 1) {
      throw new IllegalArgumentException("packed input_ids must be [total_tokens], got " + inputIds.dim()
          + " dims " + Tensors.shapeString(inputIds) + " (a padded [batch, seq] batch goes through logits(ids, mask, types))");
    }
    long total = inputIds.size(0);
    sameLength("position_ids", positionIds, total);
    if (tokenTypeIds != null) {
      sameLength("token_type_ids", tokenTypeIds, total);
    }
    if (cuSeqlens.dim() != 1 || cuSeqlens.size(0) < 2) {
      throw new IllegalArgumentException("cu_seqlens must be [batch + 1] with batch >= 1, got shape "
          + Tensors.shapeString(cuSeqlens));
    }
    if (cuSeqlens.scalar_type().value != ScalarType.Int.value) {
      throw new IllegalArgumentException("cu_seqlens must be int32 (FlashAttention's layout), got scalar type "
          + cuSeqlens.scalar_type().value);
    }
    if (cuSeqlens.is_cuda()) {
      throw new IllegalArgumentException("cu_seqlens must be a CPU tensor (the model moves it to the device)");
    }
    long[] offsets = Tensors.toLongArray(cuSeqlens);
    if (offsets[0] != 0) {
      throw new IllegalArgumentException("cu_seqlens must start at 0, got " + offsets[0]);
    }
    long longest = 0;
    for (int b = 0; b + 1 < offsets.length; b++) {
      long length = offsets[b + 1] - offsets[b];
      if (length < 0) {
        throw new IllegalArgumentException("cu_seqlens must be non-decreasing, but cu_seqlens[" + (b + 1) + "] = "
            + offsets[b + 1] + " < cu_seqlens[" + b + "] = " + offsets[b]);
      }
      longest = Math.max(longest, length);
    }
    if (offsets[offsets.length - 1] != total) {
      throw new IllegalArgumentException("cu_seqlens must end at the token count: its last offset is "
          + offsets[offsets.length - 1] + " but input_ids holds " + total + " tokens");
    }
    if (maxSeqlen < longest) {
      throw new IllegalArgumentException("max_seqlen " + maxSeqlen + " is below the longest sequence of cu_seqlens ("
          + longest + ")");
    }
    if (total > 0) {
      try (Tensor low = positionIds.min(); Tensor high = positionIds.max()) {
        if (low.item_long() < 0 || high.item_long() >= maxSequenceLength) {
          throw new IllegalArgumentException("position_ids must lie in [0, " + maxSequenceLength + ") (the model's longest"
              + " sequence),"
              + " got values from " + low.item_long() + " to " + high.item_long());
        }
      }
    }
    if (longest > maxSequenceLength) {
      throw new IllegalArgumentException("sequence length " + longest + " exceeds the model's longest sequence "
          + maxSequenceLength + " (from max_position_embeddings); split long sentences into windows");
    }
  }

  private static void sameLength(String name, Tensor t, long total) {
    if (t.dim() != 1 || t.size(0) != total) {
      throw new IllegalArgumentException(name + " must be [total_tokens] = [" + total + "] like input_ids, got shape "
          + Tensors.shapeString(t));
    }
  }
}
