package dev.exprbert.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Hooks into a training run, in the spirit of Hugging Face's {@code TrainerCallback}: called on the
 * training thread, in this order at the end of an optimizer step: {@link #onStepEnd}, then
 * {@link #onLog}, {@link #onEvaluate}, {@link #onSave} for whatever that step does.
 */
public interface TrainingListener {
  /** After each optimizer step; {@code control.requestStop()} ends the run after this step's log, eval and save. */
  default void onStepEnd(TrainerState state, TrainerControl control) {}

  /** After an entry was added to {@code log_history}. */
  default void onLog(TrainerState state, Map<String, Object> entry) {}

  /** After an evaluation during training. */
  default void onEvaluate(TrainerState state, Evaluation evaluation, TrainerControl control) {}

  /** After {@code checkpoint} was published (complete, renamed into place). */
  default void onSave(TrainerState state, Path checkpoint) {}
}
