package dev.exprbert.train;

import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParamGroup;
import dev.exprbert.optim.TorchAdamW;
import java.util.List;

/** Hugging Face's {@code optim} names mapped to our two AdamW implementations (same update rule). */
enum OptimizerChoice {
  /** LibTorch's {@code torch::optim::AdamW}. */
  ADAMW_TORCH("adamw_torch"),
  /** Our native multi-tensor kernel, Hugging Face's name for torch's fused AdamW. */
  ADAMW_TORCH_FUSED("adamw_torch_fused");

  private final String hfName;

  OptimizerChoice(String hfName) {
    this.hfName = hfName;
  }

  static OptimizerChoice parse(String name) {
    for (OptimizerChoice c : values()) {
      if (c.hfName.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("optim: expected adamw_torch or adamw_torch_fused, found '" + name + "'");
  }

  Optimizer create(List<ParamGroup> groups, AdamWSettings settings) {
    return this == ADAMW_TORCH ? new TorchAdamW(groups, settings) : new FusedAdamW(groups, settings);
  }
}
