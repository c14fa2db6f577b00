package dev.exprbert.train;

import dev.exprbert.dist.DistributedContext;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.runtime.Autocast;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * run_ner.py's {@code main()} after argument parsing: prepare the data and model ({@link TrainingSetup}), then the
 * steps of {@link RunSteps} in run_ner's order: train (the {@link Trainer}, which ends with the final evaluation when
 * it has evaluation data), evaluate (without training: the model as loaded), predict the test file
 * ({@code predict_results.json}, {@code predictions.txt}). Every log entry also goes to {@code report_to}'s files
 * ({@link MetricReporter}), closed when the run ends or fails.
 */
public final class NerRun {
  private static final Logger LOG = LoggerFactory.getLogger(NerRun.class);

  /**
   * What a run did; each part is null when its step did not run.
   *
   * @param evaluation the final evaluation (after training, or of the model as loaded)
   * @param prediction the test file's metrics and predictions
   */
  public record Result(RunSteps steps, TrainResult training, Evaluation evaluation, Evaluation prediction) {}

  private NerRun() {}

  /** Runs {@code config}'s steps in one process; {@code callbacks} join the Trainer's (a progress bar, a caller's own). */
  public static Result run(TrainingConfig config, List<TrainerCallback> callbacks) throws IOException {
    return run(config, callbacks, DistributedContext.single());
  }

  /**
   * Runs {@code config}'s steps as one rank of {@code context}: every rank trains, evaluates and predicts (sharded),
   * rank 0 alone writes files and metric sinks.
   */
  public static Result run(TrainingConfig config, List<TrainerCallback> callbacks, DistributedContext context)
      throws IOException {
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        MetricReporter reporter = context.isMain() ? MetricReporter.of(config)
            : new MetricReporter(ReportTo.NONE, config.outputDir())) {
      RunSteps steps = prepared.steps();
      TrainResult training = null;
      Evaluation evaluation = null;
      TokenClassificationLoss loss;
      if (steps.train()) {
        try (Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval(), context)) {
          callbacks.forEach(trainer::addCallback);
          trainer.addCallback(reporter);
          training = trainer.train();
          evaluation = training.finalEvaluation();
          loss = trainer.loss();
        }
      } else {
        if (context.isMain()) {
          Files.createDirectories(config.outputDir());
        }
        loss = ClassWeights.loss(config, prepared.classifier().config().labels(), null);
        if (steps.eval()) {
          evaluation = Evaluator.of(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
              prepared.eval(), loss, evalAutocast(config, prepared), context).run("eval",
              config.returnEntityLevelMetrics());
          if (context.isMain()) {
            Map<String, Object> logged = new LinkedHashMap<>(RunOutputs.writeEvaluation(config.outputDir(), evaluation));
            reporter.write(0, logged);
            LOG.info("evaluation: {}", evaluation.metrics());
          }
        }
      }
      Evaluation prediction = null;
      if (steps.predict()) {
        prediction = Evaluator.of(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.test(), loss, evalAutocast(config, prepared), context).run("predict",
            config.returnEntityLevelMetrics());
        if (context.isMain()) {
          RunOutputs.writePrediction(config.outputDir(), prediction);
          LOG.info("prediction: {}", prediction.metrics());
        }
      }
      return new Result(steps, training, evaluation, prediction);
    }
  }

  /** Evaluation without training runs under the run's bf16/fp16 autocast too, as Hugging Face's evaluation loop does. */
  private static Autocast evalAutocast(TrainingConfig config, TrainingSetup.Prepared prepared) {
    return Autocast.of(prepared.classifier().model().placement(), config.mixedPrecision());
  }
}
