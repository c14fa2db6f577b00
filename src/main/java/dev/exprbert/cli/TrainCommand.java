package dev.exprbert.cli;

import dev.exprbert.dist.DistributedContext;
import dev.exprbert.train.Evaluation;
import dev.exprbert.train.NerRun;
import dev.exprbert.train.ProgressBar;
import dev.exprbert.train.TrainResult;
import dev.exprbert.train.TrainerCallback;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingConfigKeys;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert train}: run_ner.py ({@link NerRun}): train, evaluate and predict as {@code do_train},
 * {@code do_eval} and {@code do_predict} say. Every setting is a flag with its Hugging Face name, or an entry of a
 * JSON file given with {@code --config} (flags override the file); Hugging Face arguments that are not settings are
 * accepted or refused with a reason ({@code HfArguments}).
 * Started by {@code exprbert launch}, torchrun or anything that sets torchrun's variables, each process joins the
 * data-parallel run as its rank ({@link DistributedContext}); {@code --device cuda} then means
 * {@code cuda:LOCAL_RANK}, and only rank 0 writes and prints the results.
 */
@Command(name = "train", mixinStandardHelpOptions = true, modelTransformer = TrainingFlags.class,
    description = {"Fine-tune a BERT token classifier (Hugging Face Trainer semantics).",
        "Example: exprbert train --model_name_or_path DIR --train_file train.conll --validation_file dev.conll"
            + " --output_dir runs/x --eval_strategy epoch --num_train_epochs 5 --learning_rate 2e-5"})
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "JSON file of training arguments (Hugging Face names).")
  Path configFile;

  @CommandLine.Mixin
  ThreadsOption threads = new ThreadsOption();

  @Override
  public Integer call() throws Exception {
    threads.apply();
    Path configJson = configFile != null ? requireFile(configFile) : null;
    TrainingConfig config;
    try {
      TrainingConfig.Builder builder = configJson != null ? TrainingConfigKeys.readJson(configJson) : TrainingConfig.builder();
      config = TrainingFlags.apply(spec.commandLine().getParseResult(), builder).build();
    } catch (IllegalArgumentException e) {
      // a value or a combination of settings the rules refuse: a usage error, in flag names
      throw new CommandLine.ParameterException(spec.commandLine(), TrainingFlags.asFlags(e.getMessage()), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (DistributedContext context = DistributedContext.fromEnvironment(config.ddpBackend(), config.device(),
        config.ddpTimeoutDuration())) {
      if (!context.placementFor(config.device()).equals(config.device())) {
        config = config.toBuilder().set("device", context.placementFor(config.device()).device()).build();
      }
      List<TrainerCallback> callbacks = context.isMain() && ProgressBar.wanted(config)
          ? List.of(new ProgressBar(System.err)) : List.of();
      NerRun.Result result = NerRun.run(config, callbacks, context);
      if (context.isMain()) {
        TrainResult training = result.training();
        if (training != null) {
          out.printf("trained %d steps: train_loss %.4f, model and results in %s%n", training.globalStep(),
              training.trainingLoss(), config.outputDir().toAbsolutePath());
        }
        Evaluation evaluation = result.evaluation();
        if (evaluation != null) {
          out.println(EvaluateCommand.metricsJson(evaluation));
          out.print(EvaluateCommand.tableText(evaluation));
        }
        Evaluation prediction = result.prediction();
        if (prediction != null) {
          out.printf("predicted %d test sentences: predict_f1 %.4f, predict_results.json and predictions.txt in %s%n",
              prediction.sentences().size(), prediction.metric("predict_f1"), config.outputDir().toAbsolutePath());
        }
      }
    }
    out.flush();
    return 0;
  }

  private static Path requireFile(Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("--config " + file + ": no such file (expected a JSON file of training arguments)");
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--config " + file + " is a folder; expected a JSON file of training arguments");
    }
    return file;
  }
}
