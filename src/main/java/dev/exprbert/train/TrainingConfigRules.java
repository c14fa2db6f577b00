package dev.exprbert.train;

import dev.exprbert.dist.DistributedBackend;
import dev.exprbert.train.TrainingConfig.Strategy;

/**
 * The rules between training settings, checked when a {@link TrainingConfig} is built, before anything is loaded.
 * Each message names the settings by their Hugging Face names ({@code load_best_model_at_end requires ...}; the
 * command line shows them as flags) and what to change. A rule's source is where Hugging Face enforces it: {@code TrainingArguments.__post_init__} /
 * {@code _validate_args}, the {@code Trainer}, a callback, or run_ner.py.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>rule</th><th>Hugging Face</th></tr>
 *   <tr><td>{@code num_train_epochs > 0} unless {@code max_steps > 0}</td><td>Trainer (a run of no steps)</td></tr>
 *   <tr><td>{@code config_name} only without {@code model_name_or_path}</td><td>run_ner reads it as a config
 *       override of the pretrained model, which we do not support: refused rather than ignored</td></tr>
 *   <tr><td>{@code padding_free} needs {@code attn_implementation fused}</td><td>ours (TRL checks its own backends)</td></tr>
 *   <tr><td>not both {@code bf16} and {@code fp16}</td><td>__post_init__</td></tr>
 *   <tr><td>{@code ddp_backend nccl} needs a CUDA {@code device}</td><td>torch.distributed (NCCL reduces CUDA
 *       tensors only)</td></tr>
 *   <tr><td>{@code crf} without {@code class_weights} or {@code label_smoothing_factor}</td><td>ours (they shape
 *       the per-token cross-entropy the CRF's likelihood replaces)</td></tr>
 *   <tr><td>{@code early_stopping_patience} needs {@code eval_strategy} steps or epoch</td><td>EarlyStoppingCallback</td></tr>
 *   <tr><td>{@code early_stopping_patience} needs {@code load_best_model_at_end}</td><td>EarlyStoppingCallback</td></tr>
 *   <tr><td>{@code load_best_model_at_end}: {@code save_strategy == eval_strategy}</td><td>_validate_args (we also
 *       refuse both "no": nothing would ever be evaluated, where Hugging Face silently keeps the last model)</td></tr>
 *   <tr><td>{@code load_best_model_at_end} by steps: {@code save_steps} a multiple of {@code eval_steps}</td>
 *       <td>_validate_args</td></tr>
 *   <tr><td>{@code metric_for_best_model} is a key evaluation produces ({@link BestMetric})</td><td>Trainer, at the
 *       first evaluation ({@code KeyError}); here at once</td></tr>
 * </table>
 *
 * <p>Rules that need more than the settings are checked where that is known, still before training: the entity type
 * in a per-type {@code metric_for_best_model} against the model's labels ({@link Trainer}); run_ner's
 * {@code train_file}, model, tokenizer and, for an evaluation strategy, {@code validation_file}
 * ({@link TrainingSetup#prepare}, before reading data); {@code output_dir} a writable folder
 * ({@link OutputDirectory}). Rules of Hugging Face's that have nothing to act on here: {@code eval_steps} or
 * {@code logging_steps} non-zero (both are always {@code >= 1}), ratios for {@code *_steps} (whole steps only),
 * {@code save_strategy best}, {@code reduce_lr_on_plateau}, and the DeepSpeed, FSDP, TPU and dataloader options.
 */
final class TrainingConfigRules {
  private TrainingConfigRules() {}

  static void check(TrainingConfig c) {
    if (c.maxSteps() <= 0 && !(c.numTrainEpochs() > 0 && Double.isFinite(c.numTrainEpochs()))) {
      throw new IllegalArgumentException("num_train_epochs must be > 0 (or max_steps > 0), found " + c.numTrainEpochs());
    }
    if (c.modelNameOrPath() != null && c.configName() != null) {
      throw new IllegalArgumentException("config_name is read only without model_name_or_path (it describes a randomly"
          + " initialised model; a model to fine-tune keeps its own config.json), found both: drop one");
    }
    if (Boolean.TRUE.equals(c.paddingFree()) && c.attnImplementation() != null
        && !c.attnImplementation().supportsPacked()) {
      throw new IllegalArgumentException("padding_free (packed batches) needs attn_implementation fused, the only"
          + " backend with a packed kernel, found '" + c.attnImplementation() + "': add --attention fused, or drop"
          + " --padding_free");
    }
    if (c.bf16() && c.fp16()) {
      throw new IllegalArgumentException("bf16 and fp16 are both set: choose one mixed precision (bf16 needs no loss"
          + " scaling; fp16 runs on any CUDA GPU)");
    }
    if (c.ddpBackend() == DistributedBackend.NCCL && !c.device().isCuda()) {
      throw new IllegalArgumentException("ddp_backend nccl reduces CUDA tensors only, but device is "
          + c.device().device() + ": use --ddp_backend gloo on the CPU, or --device cuda");
    }
    if (c.crf() && (c.classWeights() != null || c.labelSmoothingFactor() > 0)) {
      throw new IllegalArgumentException("crf trains on the sentences' negative log-likelihood, which has no class"
          + " weights or label smoothing (they shape the per-token cross-entropy): drop "
          + (c.classWeights() != null ? "class_weights" : "label_smoothing_factor") + " or crf");
    }
    if (c.earlyStoppingPatience() != null) {
      if (c.evalStrategy() == Strategy.NO) {
        throw new IllegalArgumentException("early_stopping_patience needs evaluations to compare: set eval_strategy"
            + " to steps or epoch (as Hugging Face's EarlyStoppingCallback requires)");
      }
      if (!c.loadBestModelAtEnd()) {
        throw new IllegalArgumentException("early_stopping_patience requires load_best_model_at_end (as Hugging"
            + " Face's EarlyStoppingCallback does), so the best checkpoint is the one kept");
      }
    }
    if (c.loadBestModelAtEnd()) {
      if (c.evalStrategy() == Strategy.NO || c.evalStrategy() != c.saveStrategy()) {
        throw new IllegalArgumentException("load_best_model_at_end requires the save and eval strategy to match and"
            + " not be 'no', found save_strategy " + c.saveStrategy() + " and eval_strategy " + c.evalStrategy());
      }
      if (c.evalStrategy() == Strategy.STEPS && c.saveSteps() % c.effectiveEvalSteps() != 0) {
        throw new IllegalArgumentException("load_best_model_at_end requires save_steps to be a multiple of eval_steps,"
            + " found save_steps " + c.saveSteps() + " and eval_steps " + c.effectiveEvalSteps()
            + (c.evalSteps() == null ? " (eval_steps defaults to logging_steps)" : ""));
      }
    }
    BestMetric.require(c.metricForBestModel(), c.returnEntityLevelMetrics());
  }
}
