package dev.exprbert.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Hooks into a training run, Hugging Face's {@code TrainerCallback}: every event is called on the training thread with
 * a read-only view of the run and the {@link TrainerControl} through which a callback asks for a log, an evaluation,
 * a save or the end of training. Logging decisions, evaluation scheduling, best-model tracking, early stopping, FLOP counting
 * and the progress bar are callbacks too ({@link Trainer} lists them); a callback added with
 * {@link Trainer#addCallback} runs after them.
 *
 * <p>Order of events: {@link #onTrainBegin}; per epoch {@link #onEpochBegin}; per optimizer step
 * {@link #onStepEnd}, then, for what that step does (asked through the control), {@link #onLog},
 * {@link #onEvaluate} (after the evaluation's own {@link #onLog}) and {@link #onSave}; {@link #onEpochEnd} followed
 * by the same three; finally {@link #onTrainEnd}, then {@link #onLog} of the training summary and (with evaluation
 * data) of the final evaluation.
 */
public interface TrainerCallback {
  default void onTrainBegin(RunView run, TrainerControl control) {}

  default void onEpochBegin(RunView run, TrainerControl control) {}

  /** After each optimizer step; the step's loss and gradient norm stay on the device ({@link RunView}). */
  default void onStepEnd(RunView run, TrainerControl control) {}

  default void onEpochEnd(RunView run, TrainerControl control) {}

  /** After an entry was added to {@code log_history} (training loss, evaluation, or the final summary). */
  default void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {}

  /** After an evaluation during training. */
  default void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {}

  /** After {@code checkpoint} was published (complete, renamed into place). */
  default void onSave(RunView run, TrainerControl control, Path checkpoint) {}

  /** After the last step (and its log, evaluation and save), before the final model and results are written. */
  default void onTrainEnd(RunView run, TrainerControl control) {}
}
