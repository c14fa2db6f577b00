package dev.exprbert.train;

import dev.exprbert.train.TrainingConfig.Strategy;

/**
 * Hugging Face's {@code DefaultFlowCallback}: turns the logging, evaluation and save strategies into requests on the
 * {@link TrainerControl}, and stops the run at {@code max_steps}. By steps: log every {@code logging_steps} (and the
 * first step with {@code logging_first_step}), evaluate every {@code eval_steps}, save every {@code save_steps} and
 * always the last step; by epoch: at each epoch's end (the last step's epoch-end save covers it).
 */
final class DefaultFlow implements TrainerCallback {
  private final TrainingConfig config;

  DefaultFlow(TrainingConfig config) {
    this.config = config;
  }

  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    long step = run.globalStep();
    boolean last = step >= run.maxSteps();
    if (config.loggingStrategy() == Strategy.STEPS
        && (step % config.loggingSteps() == 0 || (config.loggingFirstStep() && step == 1))) {
      control.requestLog();
    }
    if (config.evalStrategy() == Strategy.STEPS && step % config.effectiveEvalSteps() == 0) {
      control.requestEvaluation();
    }
    if (config.saveStrategy() == Strategy.STEPS && (step % config.saveSteps() == 0 || last)) {
      control.requestSave();
    }
    if (last) {
      control.requestStop();
    }
  }

  @Override
  public void onEpochEnd(RunView run, TrainerControl control) {
    if (config.loggingStrategy() == Strategy.EPOCH) {
      control.requestLog();
    }
    if (config.evalStrategy() == Strategy.EPOCH) {
      control.requestEvaluation();
    }
    if (config.saveStrategy() == Strategy.EPOCH) {
      control.requestSave();
    }
  }
}
