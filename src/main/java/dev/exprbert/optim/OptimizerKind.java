package dev.exprbert.optim;

import java.util.List;

/** The AdamW implementations ({@link OptimizerChoice} maps the {@code optim} spellings to them). */
public enum OptimizerKind {
  /** Our native multi-tensor AdamW (CPU twin or CUDA), {@link FusedAdamW}. The default. */
  FUSED_ADAMW,
  /** LibTorch's own {@code torch::optim::AdamW}, {@link TorchAdamW}. */
  TORCH_ADAMW;

  /** A new optimizer of this kind over {@code groups}; the caller closes it. */
  public Optimizer create(List<ParamGroup> groups, AdamWSettings settings) {
    return switch (this) {
      case FUSED_ADAMW -> new FusedAdamW(groups, settings);
      case TORCH_ADAMW -> new TorchAdamW(groups, settings);
    };
  }
}
