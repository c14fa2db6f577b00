package dev.exprbert.train;

import dev.exprbert.dist.DistributedContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best-metric tracking and {@code load_best_model_at_end}: after each evaluation, a value of
 * {@code metric_for_best_model} better than the best so far (by {@code greater_is_better}) becomes the best, at this
 * step ({@link Checkpointer} then names that step's checkpoint the best); at the end of training the best
 * checkpoint's weights are loaded into the model when asked.
 */
final class BestModel implements TrainerCallback {
  private static final Logger LOG = LoggerFactory.getLogger(BestModel.class);
  private final TrainingConfig config;
  private final RunState state;
  private final ModelPart model;
  private final DistributedContext context;
  private boolean warnedMissing;

  BestModel(TrainingConfig config, RunState state, ModelPart model, DistributedContext context) {
    this.config = config;
    this.state = state;
    this.model = model;
    this.context = context;
  }

  @Override
  public void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {
    Double value = evaluation.metrics().get(config.bestMetricKey());
    if (value == null && !warnedMissing) {
      // a per-type metric of a type with no entity in the gold or predicted tags of this evaluation
      warnedMissing = true;
      LOG.warn("metric_for_best_model {}: this evaluation has no {} (it has {}), so it ranks nothing",
          config.metricForBestModel(), config.bestMetricKey(), evaluation.metrics().keySet());
    }
    Double best = run.bestMetric();
    if (value != null && (best == null || (config.effectiveGreaterIsBetter() ? value > best : value < best))) {
      state.recordBest(value);
    }
  }

  @Override
  public void onTrainEnd(RunView run, TrainerControl control) {
    if (config.loadBestModelAtEnd() && run.bestModelCheckpoint() != null) {
      if (context.isMain()) { // rank 0 wrote it; the others get its weights by broadcast (no shared disk needed)
        LOG.info("loading the best model from {} ({} = {})", run.bestModelCheckpoint(), config.bestMetricKey(),
            run.bestMetric());
        try {
          model.loadWeights(Path.of(run.bestModelCheckpoint()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      context.broadcast(model.parameters(), 0, "the broadcast of the best model's weights");
    }
  }
}
