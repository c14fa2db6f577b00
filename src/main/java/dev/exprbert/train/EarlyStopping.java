package dev.exprbert.train;

import com.google.gson.JsonObject;

/**
 * Hugging Face's {@code EarlyStoppingCallback}: after each evaluation, a metric that is not better than
 * the best so far by more than {@code threshold} adds one to a counter (an improvement resets it); at
 * {@code patience} the run stops. The counter travels in {@code trainer_state.json}'s
 * {@code stateful_callbacks} so a resumed run stops where the uninterrupted one would.
 */
final class EarlyStopping implements TrainingListener {
  static final String NAME = "EarlyStoppingCallback";

  private final String metricKey;
  private final boolean greaterIsBetter;
  private final int patience;
  private final double threshold;
  private Double best;
  private int counter;

  EarlyStopping(String metricKey, boolean greaterIsBetter, int patience, double threshold) {
    this.metricKey = metricKey;
    this.greaterIsBetter = greaterIsBetter;
    this.patience = patience;
    this.threshold = threshold;
  }

  @Override
  public void onEvaluate(TrainerState state, Evaluation evaluation, TrainerControl control) {
    double value = evaluation.metric(metricKey);
    boolean improved = best == null
        || (greaterIsBetter ? value > best : value < best) && Math.abs(value - best) > threshold;
    if (improved) {
      best = value;
      counter = 0;
    } else {
      counter++;
    }
    state.statefulCallbacks.add(NAME, toJson());
    if (counter >= patience) {
      control.requestStop();
    }
  }

  int counter() {
    return counter;
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

  /** Restores the counter from a resumed checkpoint's state. */
  void restore(TrainerState state) {
    if (!state.statefulCallbacks.has(NAME)) {
      return;
    }
    JsonObject attributes = state.statefulCallbacks.getAsJsonObject(NAME).getAsJsonObject("attributes");
    counter = attributes.get("early_stopping_patience_counter").getAsInt();
    best = attributes.has("best_metric") ? attributes.get("best_metric").getAsDouble() : null;
  }
}
