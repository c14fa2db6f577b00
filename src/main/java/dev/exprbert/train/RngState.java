package dev.exprbert.train;

import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.FusedAttention;
import dev.exprbert.runtime.Tensors;
import java.nio.file.Path;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The state of LibTorch's default CPU generator, which dropout draws from: a uint8 tensor
 * ({@code torch.get_rng_state()}; 5056 bytes of mt19937 state for LibTorch 2.10), saved with each
 * checkpoint so a resumed run drops the same units the uninterrupted run would. With {@code --attention fused}
 * the attention-dropout masks come from the kernel's counter-based RNG instead, keyed by a call counter in
 * {@link FusedAttention}: that counter is saved beside it ({@link #FUSED_ATTENTION_KEY}, int64 [1]).
 */
final class RngState {
  static final String KEY = "cpu_rng_state";
  static final String FUSED_ATTENTION_KEY = "fused_attention_dropout_offset";

  private RngState() {}

  /** A copy of the current state; the caller owns it. */
  static Tensor capture() {
    try (Generator generator = torch.getDefaultCPUGenerator(); Tensor state = generator.get_state()) {
      return state.clone();
    }
  }

  static void restore(Tensor state) {
    if (state.scalar_type().value != torch.ScalarType.Byte.value || state.dim() != 1) {
      throw new IllegalArgumentException(KEY + " must be a 1-d uint8 tensor (torch.get_rng_state()), found dtype "
          + state.scalar_type().value + " with " + state.dim() + " dims");
    }
    try (Generator generator = torch.getDefaultCPUGenerator()) {
      generator.set_state(state);
    }
  }

  /** The fused attention's dropout counter as int64 [1], or null for another backend; the caller owns it. */
  static Tensor captureFusedAttention(AttentionBackend attention) {
    if (!(attention instanceof FusedAttention fused)) {
      return null;
    }
    return Tensors.longs(new long[] {fused.dropoutOffset()}, 1);
  }

  /**
   * Restores the fused attention's dropout counter from {@code saved} (null when the checkpoint has none). A
   * checkpoint without it (written before the counter was saved, or by a run with another backend) can resume a
   * fused run only when no attention dropout needs the counter; otherwise restarting it at 0 would replay the
   * first steps' masks, so this refuses rather than resume inexactly.
   */
  static void restoreFusedAttention(AttentionBackend attention, Tensor saved, double attentionDropout, Path file) {
    if (!(attention instanceof FusedAttention fused)) {
      return;
    }
    if (saved == null) {
      if (attentionDropout > 0) {
        throw new UnsupportedOperationException(file + " holds no '" + FUSED_ATTENTION_KEY + "' (the fused attention's"
            + " dropout counter), so a run with attn_implementation fused and attention dropout " + attentionDropout
            + " cannot resume from it exactly; resume with the backend it was trained with");
      }
      return;
    }
    if (saved.dim() != 1 || saved.size(0) != 1 || saved.scalar_type().value != torch.ScalarType.Long.value) {
      throw new IllegalArgumentException(file + ": '" + FUSED_ATTENTION_KEY + "' must be an int64 tensor of shape [1],"
          + " found shape " + Tensors.shapeString(saved));
    }
    fused.restoreDropoutOffset(Tensors.toLongArray(saved)[0]);
  }
}
