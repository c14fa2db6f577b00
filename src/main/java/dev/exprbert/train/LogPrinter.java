package dev.exprbert.train;

import dev.exprbert.runtime.Natives;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's log lines (Hugging Face's {@code PrinterCallback}): what is trained at the start, then each training-loss
 * entry with the learning rate, gradient norm and real tokens per second since the previous one, and each
 * evaluation's metrics.
 */
final class LogPrinter implements TrainerCallback {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private final TrainingConfig config;
  private final MixedPrecision precision;
  private final RunLength length;
  private final int sentences;
  private final int features;
  private final int worldSize;
  private long lastTokens;
  private long lastNanos;
  private boolean stepped;

  LogPrinter(TrainingConfig config, RunLength length, int sentences, int features, MixedPrecision precision,
      int worldSize) {
    this.worldSize = worldSize;
    this.config = config;
    this.precision = precision;
    this.length = length;
    this.sentences = sentences;
    this.features = features;
  }

  @Override
  public void onTrainBegin(RunView run, TrainerControl control) {
    LOG.info("training: {} sentences ({} features), {} epochs, {} optimizer steps ({} per epoch), batch {} x accumulation {}{}",
        sentences, features, length.numEpochs(), length.maxSteps(), length.updatesPerEpoch(),
        config.perDeviceTrainBatchSize(), config.gradientAccumulationSteps(), worldSize == 1 ? ""
            : " x " + worldSize + " ranks (" + config.perDeviceTrainBatchSize() * worldSize * config.gradientAccumulationSteps()
                + " features per step)");
    LOG.info("CPU threads: {} intra-op (plan: {}), OpenMP wait policy {}", torch.get_num_threads(),
        Natives.threads().describe(), Natives.ompWaitPolicy());
    LOG.info("precision: float32 weights and optimizer, {}", precision);
    lastTokens = run.tokensSeen();
    lastNanos = System.nanoTime();
  }

  /** Start-up cost as a user feels it: JVM start, libraries, model, data, first step (benchmarks/NOTES.md). */
  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    if (!stepped) {
      stepped = true;
      long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      LOG.info("first optimizer step of this process done {} s after the JVM started", String.format("%.2f",
          sinceJvmStart / 1e3));
    }
  }

  @Override
  public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
    if (!(entry.get("loss") instanceof Number loss)) {
      return;
    }
    long now = System.nanoTime();
    double tokensPerSecond = (run.tokensSeen() - lastTokens) / Math.max(1e-9, (now - lastNanos) / 1e9);
    Object gradNorm = entry.getOrDefault("grad_norm", Double.NaN);
    LOG.info("step {}/{}: loss {}, learning_rate {}, grad_norm {}, {} tokens/s", run.globalStep(), run.maxSteps(),
        String.format("%.4f", loss.doubleValue()), String.format("%.3g", (Double) entry.get("learning_rate")),
        String.format("%.4f", (Double) gradNorm), String.format("%.0f", tokensPerSecond));
    if (precision.scaler() != null) {
      LOG.info("step {}: {}", run.globalStep(), precision.scaler().readAndResetLog());
    }
    lastTokens = run.tokensSeen();
    lastNanos = now;
  }

  @Override
  public void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {
    LOG.info("evaluation at step {}: {}", run.globalStep(), evaluation.metrics());
  }
}
