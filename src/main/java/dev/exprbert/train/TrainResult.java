package dev.exprbert.train;

import java.util.LinkedHashMap;

/**
 * What {@link Trainer#train} returns (Hugging Face's {@code TrainOutput}): the global step reached, the
 * mean training loss over all steps, the summary metrics ({@code train_loss, train_runtime,
 * train_samples_per_second, ...}) and, when there was evaluation data, the final evaluation.
 */
public final class TrainResult {
  private final long globalStep;
  private final double trainingLoss;
  private final LinkedHashMap<String, Object> metrics;
  private final int trainSamples;
  private Evaluation finalEvaluation;

  TrainResult(long globalStep, double trainingLoss, LinkedHashMap<String, Object> metrics, int trainSamples) {
    this.globalStep = globalStep;
    this.trainingLoss = trainingLoss;
    this.metrics = metrics;
    this.trainSamples = trainSamples;
  }

  public long globalStep() {
    return globalStep;
  }

  public double trainingLoss() {
    return trainingLoss;
  }

  public LinkedHashMap<String, Object> metrics() {
    return metrics;
  }

  public int trainSamples() {
    return trainSamples;
  }

  /** The evaluation after training (null without evaluation data). */
  public Evaluation finalEvaluation() {
    return finalEvaluation;
  }

  void finalEvaluation(Evaluation evaluation) {
    this.finalEvaluation = evaluation;
  }
}
