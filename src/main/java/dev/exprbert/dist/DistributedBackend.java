package dev.exprbert.dist;

import java.util.Locale;

/**
 * The process group that reduces the gradients ({@code --ddp_backend}, Hugging Face's name): Gloo (CPU tensors, and
 * what the metadata collectives always use) or NCCL (CUDA tensors, the GPU build of LibTorch only).
 */
public enum DistributedBackend {
  GLOO, NCCL;

  /** {@code gloo} or {@code nccl}, any case. */
  public static DistributedBackend parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("ddp_backend: expected gloo or nccl, found '" + text + "'");
    }
  }

  /** Hugging Face's default when {@code ddp_backend} is not given: NCCL on CUDA, Gloo on the CPU. */
  public static DistributedBackend defaultFor(boolean cuda) {
    return cuda ? NCCL : GLOO;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
