package dev.exprbert.optim;

/**
 * Hugging Face's schedules ({@code transformers.optimization}): the base learning rate and its multipliers. The
 * update with index {@code step} (0-based: the first optimizer step is step 0) runs at
 * {@code baseLr * multiplier(step)}, which is what LambdaLR gives when {@code scheduler.step()}
 * follows {@code optimizer.step()}; with warm-up the first step therefore runs at lr 0. The schedule owns the base
 * learning rate, so callers ask it for a step's rate and nothing else carries the base rate around.
 */
public record LearningRateSchedule(Kind kind, double baseLr, long warmupSteps, long totalSteps) {

  /** The {@code lr_scheduler_type} values we support. */
  public enum Kind {
    LINEAR("linear"),
    COSINE("cosine"),
    CONSTANT("constant"),
    CONSTANT_WITH_WARMUP("constant_with_warmup");

    private final String hfName;

    Kind(String hfName) {
      this.hfName = hfName;
    }

    public String hfName() {
      return hfName;
    }

    @Override
    public String toString() {
      return hfName;
    }

    public static Kind parse(String name) {
      for (Kind k : values()) {
        if (k.hfName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown lr_scheduler_type '" + name
          + "': expected linear, cosine, constant or constant_with_warmup");
    }
  }

  public LearningRateSchedule {
    requireBaseLr(baseLr);
    if (warmupSteps < 0 || totalSteps < 0) {
      throw new IllegalArgumentException("warmup and total steps must be >= 0, got " + warmupSteps + " and " + totalSteps);
    }
  }

  /**
   * The schedule of a run of {@code totalSteps} updates: {@code warmupSteps} when > 0, else
   * {@code ceil(totalSteps * warmupRatio)} (Hugging Face's {@code get_warmup_steps}).
   */
  public static LearningRateSchedule of(Kind kind, double baseLr, long warmupSteps, double warmupRatio, long totalSteps) {
    return new LearningRateSchedule(kind, baseLr, warmupSteps > 0 ? warmupSteps : warmupFromRatio(warmupRatio, totalSteps),
        totalSteps);
  }

  /** The rule for a base learning rate ({@code learning_rate}): finite and >= 0. */
  public static double requireBaseLr(double baseLr) {
    if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
      throw new IllegalArgumentException("learning_rate must be a finite number >= 0, found " + baseLr);
    }
    return baseLr;
  }

  /** Warm-up steps from HF's {@code warmup_ratio}: {@code ceil(total * ratio)}. */
  public static long warmupFromRatio(double ratio, long totalSteps) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("warmup_ratio must be in [0, 1], got " + ratio);
    }
    return (long) Math.ceil(totalSteps * ratio);
  }

  public double multiplier(long step) {
    switch (kind) {
      case CONSTANT:
        return 1.0;
      case CONSTANT_WITH_WARMUP:
        return step < warmupSteps ? (double) step / Math.max(1.0, warmupSteps) : 1.0;
      case LINEAR:
        if (step < warmupSteps) {
          return (double) step / Math.max(1.0, warmupSteps);
        }
        return Math.max(0.0, (double) (totalSteps - step) / Math.max(1.0, totalSteps - warmupSteps));
      case COSINE:
        if (step < warmupSteps) {
          return (double) step / Math.max(1.0, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1.0, totalSteps - warmupSteps);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
      default:
        throw new AssertionError(kind);
    }
  }

  /** The learning rate of the update with index {@code step}. */
  public double learningRate(long step) {
    return baseLr * multiplier(step);
  }
}
