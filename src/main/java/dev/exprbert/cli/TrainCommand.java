package dev.exprbert.cli;

import dev.exprbert.train.Evaluation;
import dev.exprbert.train.ProgressBar;
import dev.exprbert.train.TrainResult;
import dev.exprbert.train.Trainer;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingConfigKeys;
import dev.exprbert.train.TrainingSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert train}: run_ner.py's training run. Every setting is a flag with its Hugging Face
 * name, or an entry of a JSON file given with {@code --config} (flags override the file).
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
    TrainingConfig.Builder builder = configFile != null ? TrainingConfigKeys.readJson(configFile) : TrainingConfig.builder();
    TrainingConfig config = TrainingFlags.apply(spec.commandLine().getParseResult(), builder).build();
    PrintWriter out = spec.commandLine().getOut();
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval())) {
      if (ProgressBar.wanted(config)) {
        trainer.addCallback(new ProgressBar(System.err));
      }
      TrainResult result = trainer.train();
      out.printf("trained %d steps: train_loss %.4f, model and results in %s%n", result.globalStep(),
          result.trainingLoss(), config.outputDir().toAbsolutePath());
      Evaluation evaluation = result.finalEvaluation();
      if (evaluation != null) {
        out.println(EvaluateCommand.metricsJson(evaluation));
        out.print(EvaluateCommand.tableText(evaluation));
      }
    }
    out.flush();
    return 0;
  }
}
