package dev.exprbert.train;

/** What listeners may ask of the training loop (Hugging Face's {@code TrainerControl}, the part we honour). */
public final class TrainerControl {
  private boolean stop;

  /** Ends training after the current step's logging, evaluation and saving. */
  public void requestStop() {
    stop = true;
  }

  public boolean stopRequested() {
    return stop;
  }
}
