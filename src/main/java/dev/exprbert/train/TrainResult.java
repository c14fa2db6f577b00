package dev.exprbert.train;

import java.util.Map;

/**
 * What {@link Trainer#train} returns (Hugging Face's {@code TrainOutput}): the global step reached, the mean
 * training loss over all steps, the summary metrics ({@code train_loss, train_runtime,
 * train_samples_per_second, ...}), the training sentences and, when there was evaluation data, the final evaluation.
 */
public record TrainResult(long globalStep, double trainingLoss, Map<String, Object> metrics, int trainSamples,
    Evaluation finalEvaluation) {}
