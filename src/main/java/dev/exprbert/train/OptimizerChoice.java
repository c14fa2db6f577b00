package dev.exprbert.train;

import dev.exprbert.optim.OptimizerKind;

/**
 * Hugging Face's {@code optim} values mapped to our {@link OptimizerKind}s (the same AdamW update):
 * {@code adamw_torch_fused} (Hugging Face's default since torch 2.8) is our native fused kernel,
 * {@code adamw_torch} is LibTorch's AdamW. The CLI names {@code fused-adamw} / {@code torch-adamw} work too.
 */
final class OptimizerChoice {
  static final String DEFAULT = "adamw_torch_fused";

  private OptimizerChoice() {}

  static OptimizerKind parse(String name) {
    return switch (name) {
      case "adamw_torch_fused" -> OptimizerKind.FUSED_ADAMW;
      case "adamw_torch" -> OptimizerKind.TORCH_ADAMW;
      default -> {
        try {
          yield OptimizerKind.parse(name);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("optim: expected adamw_torch_fused, adamw_torch, fused-adamw or torch-adamw,"
              + " found '" + name + "'");
        }
      }
    };
  }
}
