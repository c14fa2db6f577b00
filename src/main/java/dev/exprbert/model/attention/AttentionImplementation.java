package dev.exprbert.model.attention;

import java.util.Locale;
import java.util.Set;

/**
 * The attention backends users choose with {@code --attn_implementation} / {@code --attention}, by Hugging Face's
 * names. The one place that says which backend takes packed (padding-free) batches: only {@link #FUSED} has a
 * packed kernel (FlashAttention's cu_seqlens layout); eager and sdpa would need the batch padded again, which is the
 * work packing removes.
 */
public enum AttentionImplementation {
  /** Explicit matmul, softmax, dropout, matmul: the reference the others are tested against. */
  EAGER("eager"),
  /** LibTorch's {@code scaled_dot_product_attention}. */
  SDPA("sdpa"),
  /** Our fused kernel (CPU and CUDA), padded or packed. */
  FUSED("fused");

  private final String hfName;

  AttentionImplementation(String hfName) {
    this.hfName = hfName;
  }

  /** The name users pass and training_args.json records. */
  public String hfName() {
    return hfName;
  }

  /** Whether the backend takes packed batches ({@link AttentionMask#packed}). */
  public boolean supportsPacked() {
    return this == FUSED;
  }

  /**
   * The fastest of {@code supported}, the backend used when none is asked for: fused (the only one that takes packed
   * batches, and on CPU 1.1-1.4x sdpa's attention forward+backward on padded batches, 2.1-2.5x on packed OpeNER
   * lengths: benchmarks/README.md), else sdpa, else eager.
   *
   * @throws IllegalArgumentException when {@code supported} is empty
   */
  public static AttentionImplementation fastest(Set<AttentionImplementation> supported) {
    for (AttentionImplementation a : new AttentionImplementation[] {FUSED, SDPA, EAGER}) {
      if (supported.contains(a)) {
        return a;
      }
    }
    throw new IllegalArgumentException("no attention backend is supported");
  }

  /** A new backend of this kind. */
  public AttentionBackend create() {
    return switch (this) {
      case EAGER -> new EagerAttention();
      case SDPA -> new SdpaAttention();
      case FUSED -> new FusedAttention();
    };
  }

  /** The implementation called {@code name} (case-insensitive); the error lists those that exist. */
  public static AttentionImplementation parse(String name) {
    for (AttentionImplementation a : values()) {
      if (a.hfName.equals(name == null ? null : name.strip().toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown attention backend '" + name + "': expected one of eager, sdpa, fused");
  }

  @Override
  public String toString() {
    return hfName;
  }
}
