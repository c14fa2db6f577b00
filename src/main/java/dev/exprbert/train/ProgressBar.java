package dev.exprbert.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * A one-line progress bar ({@code [#####     ] 120/654 steps, loss 0.4213}), redrawn with a carriage
 * return after every step; shown only when standard error is a terminal and {@code disable_tqdm} is off,
 * as Hugging Face shows tqdm.
 */
public final class ProgressBar implements TrainerCallback {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private String lastLoss = "";

  public ProgressBar(PrintStream out) {
    this.out = out;
  }

  /** Whether a run with {@code config} should draw a progress bar here. */
  public static boolean wanted(TrainingConfig config) {
    return !config.disableTqdm() && System.console() != null;
  }

  @Override
  public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
    if (entry.get("loss") instanceof Number loss) {
      lastLoss = String.format(", loss %.4f", loss.doubleValue());
    }
  }

  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    out.print("\r" + line(run.globalStep(), run.maxSteps()) + lastLoss);
    if (run.globalStep() >= run.maxSteps()) {
      out.println();
    }
    out.flush();
  }

  static String line(long step, long total) {
    int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, step * WIDTH / total);
    return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + step + "/" + total + " steps";
  }
}
