package dev.exprbert.optim;

import java.util.Locale;

/**
 * The accepted values of {@code optim}, each naming an {@link OptimizerKind}: Hugging Face's names
 * ({@code adamw_torch_fused}, its default since torch 2.8, is our native fused kernel; {@code adamw_torch} is
 * LibTorch's AdamW) and the CLI spellings {@code fused-adamw} / {@code torch-adamw}. A choice keeps its spelling, so
 * {@code training_args.json} records what the user wrote.
 */
public enum OptimizerChoice {
  ADAMW_TORCH_FUSED("adamw_torch_fused", OptimizerKind.FUSED_ADAMW),
  ADAMW_TORCH("adamw_torch", OptimizerKind.TORCH_ADAMW),
  FUSED_ADAMW("fused-adamw", OptimizerKind.FUSED_ADAMW),
  TORCH_ADAMW("torch-adamw", OptimizerKind.TORCH_ADAMW);

  private final String spelling;
  private final OptimizerKind kind;

  OptimizerChoice(String spelling, OptimizerKind kind) {
    this.spelling = spelling;
    this.kind = kind;
  }

  public OptimizerKind kind() {
    return kind;
  }

  /** The choice spelled {@code name}; the error lists every accepted spelling. */
  public static OptimizerChoice parse(String name) {
    for (OptimizerChoice c : values()) {
      if (c.spelling.equals(name == null ? null : name.strip().toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("optim: expected adamw_torch_fused, adamw_torch, fused-adamw or torch-adamw,"
        + " found '" + name + "'");
  }

  @Override
  public String toString() {
    return spelling;
  }
}
