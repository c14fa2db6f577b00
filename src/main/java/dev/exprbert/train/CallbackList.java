package dev.exprbert.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The run's callbacks in order, each event handed to every one (Hugging Face's {@code CallbackHandler}). */
final class CallbackList implements TrainerCallback {
  private final List<TrainerCallback> callbacks = new ArrayList<>();

  void add(TrainerCallback callback) {
    callbacks.add(Objects.requireNonNull(callback, "callback"));
  }

  @Override
  public void onTrainBegin(RunView run, TrainerControl control) {
    callbacks.forEach(c -> c.onTrainBegin(run, control));
  }

  @Override
  public void onEpochBegin(RunView run, TrainerControl control) {
    callbacks.forEach(c -> c.onEpochBegin(run, control));
  }

  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    callbacks.forEach(c -> c.onStepEnd(run, control));
  }

  @Override
  public void onEpochEnd(RunView run, TrainerControl control) {
    callbacks.forEach(c -> c.onEpochEnd(run, control));
  }

  @Override
  public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
    callbacks.forEach(c -> c.onLog(run, control, entry));
  }

  @Override
  public void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {
    callbacks.forEach(c -> c.onEvaluate(run, control, evaluation));
  }

  @Override
  public void onSave(RunView run, TrainerControl control, Path checkpoint) {
    callbacks.forEach(c -> c.onSave(run, control, checkpoint));
  }

  @Override
  public void onTrainEnd(RunView run, TrainerControl control) {
    callbacks.forEach(c -> c.onTrainEnd(run, control));
  }
}
