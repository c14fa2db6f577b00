package dev.exprbert.train;

/**
 * What callbacks ask of the training loop (Hugging Face's {@code TrainerControl}): log, evaluate or save after this
 * step or epoch, or stop. The loop acts on the requests after {@link TrainerCallback#onStepEnd} /
 * {@link TrainerCallback#onEpochEnd} and then clears the per-step ones; a stop request stays.
 */
public final class TrainerControl {
  private boolean stop;
  private boolean log;
  private boolean evaluate;
  private boolean save;

  /** Ends training after the current step's logging, evaluation and saving (and the epoch-end ones). */
  public void requestStop() {
    stop = true;
  }

  public boolean stopRequested() {
    return stop;
  }

  public void requestLog() {
    log = true;
  }

  public boolean logRequested() {
    return log;
  }

  public void requestEvaluation() {
    evaluate = true;
  }

  public boolean evaluationRequested() {
    return evaluate;
  }

  public void requestSave() {
    save = true;
  }

  public boolean saveRequested() {
    return save;
  }

  /** Clears the log / evaluate / save requests once the loop has acted on them. */
  void clearStepRequests() {
    log = false;
    evaluate = false;
    save = false;
  }
}
