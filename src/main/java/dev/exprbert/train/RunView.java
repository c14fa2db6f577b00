package dev.exprbert.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of a training run, what callbacks see (the Hugging Face {@code TrainerState} fields) and what
 * {@link #read} gives for a {@code trainer_state.json}. The run's loss and gradient norm are not here: they stay on
 * the device and are read at logging steps, into {@link #logHistory()}.
 */
public interface RunView {
  /** The {@code trainer_state.json} of a run or checkpoint (Hugging Face's format). */
  static RunView read(Path file) throws IOException {
    return RunState.readTrainerState(file);
  }

  /** Optimizer steps done. */
  long globalStep();

  /** The fractional epoch reached. */
  double epoch();

  long maxSteps();

  long numTrainEpochs();

  /** The best value of metric_for_best_model so far, or null. */
  Double bestMetric();

  /** The step of {@link #bestMetric()}, or null. */
  Long bestGlobalStep();

  /** The checkpoint folder of the best step, once saved; or null. */
  String bestModelCheckpoint();

  /** Hugging Face's FLOP count of the run so far. */
  double totalFlos();

  /** Every log entry so far, oldest first (unmodifiable). */
  List<Map<String, Object>> logHistory();

  /** Real (not padding) tokens trained on since this process started or resumed the run. */
  long tokensSeen();

  /** A copy of Hugging Face's {@code stateful_callbacks} object (e.g. the early-stopping counter). */
  JsonObject statefulCallbacks();
}
