package dev.exprbert.report;

/**
 * One line of the model card's "Training results" table (HF {@code parse_log_history}).
 *
 * @param trainingLoss the last logged training loss before this evaluation, or {@code null} when none was
 *     logged yet (printed as "No log", as Hugging Face does when logging_steps exceeds the steps so far)
 * @param epoch the (fractional) epoch of the evaluation
 * @param step the global step of the evaluation
 */
public record EpochRow(
    Double trainingLoss,
    double epoch,
    long step,
    double validationLoss,
    double precision,
    double recall,
    double f1,
    double accuracy) {}
