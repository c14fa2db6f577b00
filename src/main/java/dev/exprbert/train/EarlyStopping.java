package dev.exprbert.train;

import com.google.gson.JsonObject;

/**
 * Hugging Face's {@code EarlyStoppingCallback}: after each evaluation, a metric that is not better than the best so
 * far by more than {@code threshold} adds one to a counter (an improvement resets it); at {@code patience} the run
 * stops. The counter travels in {@code trainer_state.json}'s {@code stateful_callbacks} (from the first evaluation
 * on) so a resumed run stops where the uninterrupted one would.
 */
final class EarlyStopping implements TrainerCallback {
  static final String NAME = "EarlyStoppingCallback";

  private final RunState state;
  private final String metricKey;
  private final boolean greaterIsBetter;
  private final int patience;
  private final double threshold;
  private Double best;
  private int counter;

  EarlyStopping(RunState state, TrainingConfig config) {
    this.state = state;
    this.metricKey = config.bestMetricKey();
    this.greaterIsBetter = config.effectiveGreaterIsBetter();
    this.patience = config.earlyStoppingPatience();
    this.threshold = config.earlyStoppingThreshold();
  }

  /** Restores the counter from a resumed checkpoint's state. */
  @Override
  public void onTrainBegin(RunView run, TrainerControl control) {
    JsonObject saved = run.statefulCallbacks();
    if (saved.has(NAME)) {
      JsonObject attributes = saved.getAsJsonObject(NAME).getAsJsonObject("attributes");
      counter = attributes.get("early_stopping_patience_counter").getAsInt();
      best = attributes.has("best_metric") ? attributes.get("best_metric").getAsDouble() : null;
    }
  }

  @Override
  public void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {
    double value = evaluation.metric(metricKey);
    boolean improved = best == null
        || (greaterIsBetter ? value > best : value < best) && Math.abs(value - best) > threshold;
    if (improved) {
      best = value;
      counter = 0;
    } else {
      counter++;
    }
    state.putStatefulCallback(NAME, toJson());
    if (counter >= patience) {
      control.requestStop();
    }
  }

  private JsonObject toJson() {
    JsonObject args = new JsonObject();
    args.addProperty("early_stopping_patience", patience);
    args.addProperty("early_stopping_threshold", threshold);
    JsonObject attributes = new JsonObject();
    attributes.addProperty("early_stopping_patience_counter", counter);
    if (best != null) {
      attributes.addProperty("best_metric", best);
    }
    JsonObject o = new JsonObject();
    o.add("args", args);
    o.add("attributes", attributes);
    return o;
  }
}
