package dev.exprbert.train;

import dev.exprbert.model.EncoderConfig;
import dev.exprbert.report.EpochRow;
import dev.exprbert.report.LogPoint;
import dev.exprbert.report.ModelCardData;
import dev.exprbert.report.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model card and chart of a finished run, taken from it the way Hugging Face's {@code TrainingSummary} takes
 * them: the hyperparameters under their model-card names, one row per evaluation in {@code log_history} (with the
 * last training loss logged before it, or none), the final evaluation, and the loss / F1 curves.
 */
final class TrainingSummary {
  private TrainingSummary() {}

  static RunReport of(TrainingConfig c, EncoderConfig model, List<Map<String, Object>> logHistory, Evaluation finalEval) {
    List<String> labels = model.labels();
    String modelName = c.outputDir().toAbsolutePath().normalize().getFileName().toString();
    String dataset = c.trainFile() != null ? c.trainFile().getFileName().toString() : null;
    List<EpochRow> rows = new ArrayList<>();
    List<LogPoint> trainingLoss = new ArrayList<>();
    List<LogPoint> evalLoss = new ArrayList<>();
    List<LogPoint> evalF1 = new ArrayList<>();
    Double lastLoss = null;
    for (Map<String, Object> e : logHistory) {
      double step = ((Number) e.get("step")).doubleValue();
      String m = overallPrefix(e);
      if (e.containsKey("loss")) {
        lastLoss = num(e, "loss"); // NaN when a non-finite loss was logged (null in the JSON)
        trainingLoss.add(new LogPoint(step, lastLoss));
      } else if (e.containsKey("eval_loss") && m != null) {
        evalLoss.add(new LogPoint(step, num(e, "eval_loss")));
        evalF1.add(new LogPoint(step, num(e, m + "f1")));
        rows.add(new EpochRow(lastLoss, num(e, "epoch"), (long) step, num(e, "eval_loss"), num(e, m + "precision"),
            num(e, m + "recall"), num(e, m + "f1"), num(e, m + "accuracy")));
      }
    }
    // the evaluation after training repeats the last row in log_history; the card's table stops before it
    LinkedHashMap<String, Double> finalMetrics = new LinkedHashMap<>();
    if (finalEval != null && !rows.isEmpty()) {
      rows.remove(rows.size() - 1);
      evalLoss.remove(evalLoss.size() - 1);
      evalF1.remove(evalF1.size() - 1);
    }
    if (finalEval != null) {
      // parse_log_history's rule: every metric of the final evaluation but its timings (the overall_ and per-type
      // keys too, with return_entity_level_metrics)
      SpeedMetrics.without(finalEval.metrics()).forEach((key, value) ->
          finalMetrics.put(key.startsWith("eval_") ? key.substring(5) : key, value));
    }
    ModelCardData.Architecture architecture =
        new ModelCardData.Architecture(model.family().displayName(), model.family().tokenClassificationClass());
    ModelCardData card = new ModelCardData(modelName, c.modelNameOrPath(), dataset, labels, architecture, hyperparameters(c), rows,
        finalMetrics, versions());
    return new RunReport(card, trainingLoss, evalLoss, evalF1);
  }

  /**
   * How an evaluation entry names its overall metrics: {@code eval_} ({@code eval_f1}...), or run_ner's
   * {@code eval_overall_} when the run returns entity-level metrics; null when the entry has no F1.
   */
  static String overallPrefix(Map<String, Object> entry) {
    return entry.containsKey("eval_f1") ? "eval_" : entry.containsKey("eval_overall_f1") ? "eval_overall_" : null;
  }

  private static LinkedHashMap<String, Object> hyperparameters(TrainingConfig c) {
    LinkedHashMap<String, Object> hp = new LinkedHashMap<>();
    hp.put("learning_rate", c.learningRate());
    hp.put("train_batch_size", c.perDeviceTrainBatchSize());
    hp.put("eval_batch_size", c.perDeviceEvalBatchSize());
    hp.put("seed", c.seed());
    if (c.gradientAccumulationSteps() > 1) {
      hp.put("gradient_accumulation_steps", c.gradientAccumulationSteps());
      hp.put("total_train_batch_size", c.perDeviceTrainBatchSize() * c.gradientAccumulationSteps());
    }
    hp.put("optimizer", "Use " + c.optim() + " with betas=(" + c.adamBeta1() + "," + c.adamBeta2() + ") and epsilon="
        + String.format("%.0e", c.adamEpsilon()) + " and optimizer_args=No additional optimizer arguments");
    hp.put("lr_scheduler_type", c.lrSchedulerType().hfName());
    if (c.warmupSteps() > 0) {
      hp.put("lr_scheduler_warmup_steps", c.warmupSteps());
    } else if (c.warmupRatio() > 0) {
      hp.put("lr_scheduler_warmup_ratio", c.warmupRatio());
    }
    if (c.maxSteps() > 0) {
      hp.put("training_steps", c.maxSteps());
    } else {
      double epochs = c.numTrainEpochs();
      hp.put("num_epochs", epochs == Math.rint(epochs) ? (Object) (long) epochs : (Object) epochs);
    }
    if (c.fp16()) {
      hp.put("mixed_precision_training", "Native AMP"); // Hugging Face's card names fp16 only, bf16 not at all
    }
    return hp;
  }

  private static LinkedHashMap<String, String> versions() {
    LinkedHashMap<String, String> versions = new LinkedHashMap<>();
    versions.put("ExprBERT", "0.1.0");
    versions.put("LibTorch (org.bytedeco:pytorch)", "2.10.0-1.5.13");
    versions.put("Tokenizers (ai.djl.huggingface)", "0.38.0");
    versions.put("Java", System.getProperty("java.version"));
    return versions;
  }

  private static double num(Map<String, Object> e, String key) {
    Object v = e.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
