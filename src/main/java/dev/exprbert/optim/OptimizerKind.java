package dev.exprbert.optim;

import java.util.List;

/** The {@code --optimizer} choices. The fused kernel is the default: it runs wherever our native library loads. */
public enum OptimizerKind {
  /** Our native multi-tensor AdamW (CPU twin or CUDA), {@link FusedAdamW}. */
  FUSED_ADAMW("fused-adamw"),
  /** LibTorch's own {@code torch::optim::AdamW}, {@link TorchAdamW}. */
  TORCH_ADAMW("torch-adamw");

  public static final OptimizerKind DEFAULT = FUSED_ADAMW;

  private final String cliName;

  OptimizerKind(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static OptimizerKind parse(String name) {
    for (OptimizerKind k : values()) {
      if (k.cliName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown optimizer '" + name + "': expected fused-adamw or torch-adamw");
  }

  /** A new optimizer of this kind over {@code groups}; the caller closes it. */
  public Optimizer create(List<ParamGroup> groups, AdamWSettings settings) {
    return switch (this) {
      case FUSED_ADAMW -> new FusedAdamW(groups, settings);
      case TORCH_ADAMW -> new TorchAdamW(groups, settings);
    };
  }
}
