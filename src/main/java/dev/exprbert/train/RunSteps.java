package dev.exprbert.train;

/**
 * What a run does, from {@code do_train}, {@code do_eval} and {@code do_predict}.
 * <ul>
 *   <li>None of the three given: train, evaluate when there is a {@code validation_file}, predict when there is a
 *       {@code test_file} (what {@code exprbert train} always did, plus the test file);
 *   <li>any of them given: run_ner's rule, exactly the ones set to true, where an {@code eval_strategy} other than
 *       {@code no} sets {@code do_eval} as {@code TrainingArguments.__post_init__} does. Without {@code do_train} the
 *       model of {@code model_name_or_path} is evaluated or used for prediction as it is.
 * </ul>
 */
public record RunSteps(boolean train, boolean eval, boolean predict) {

  /** The steps of {@code config}, each checked against the files it needs (run_ner's messages). */
  public static RunSteps of(TrainingConfig config) {
    RunSteps steps;
    if (config.doTrain() == null && config.doEval() == null && config.doPredict() == null) {
      steps = new RunSteps(true, config.validationFile() != null, config.testFile() != null);
    } else {
      steps = new RunSteps(Boolean.TRUE.equals(config.doTrain()),
          Boolean.TRUE.equals(config.doEval()) || config.evalStrategy() != TrainingConfig.Strategy.NO,
          Boolean.TRUE.equals(config.doPredict()));
    }
    if (!steps.train && !steps.eval && !steps.predict) {
      throw new IllegalArgumentException("nothing to do: do_train, do_eval and do_predict are all false");
    }
    if (steps.train && config.trainFile() == null) {
      throw new IllegalArgumentException("do_train requires a train dataset: train_file (CoNLL, JSON Lines or span"
          + " annotations)");
    }
    if (steps.eval && config.validationFile() == null) {
      throw new IllegalArgumentException("do_eval requires a validation dataset: validation_file"
          + (config.evalStrategy() != TrainingConfig.Strategy.NO ? " (eval_strategy is " + config.evalStrategy() + ")"
          : ""));
    }
    if (steps.predict && config.testFile() == null) {
      throw new IllegalArgumentException("do_predict requires a test dataset: test_file");
    }
    if (!steps.train && config.modelNameOrPath() == null) {
      throw new IllegalArgumentException("without do_train, model_name_or_path must name the trained model to "
          + (steps.eval ? "evaluate" : "predict with"));
    }
    return steps;
  }
}
