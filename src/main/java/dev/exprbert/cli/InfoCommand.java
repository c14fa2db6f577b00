package dev.exprbert.cli;

import dev.exprbert.hub.ModelResolver;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigLimits;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.TransitionConstraints;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code exprbert info --model DIR}: architecture, sizes, parameter count and labels, without loading weights. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Describe a Hugging Face model directory.")
final class InfoCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, tokenizer.json), or a hub name org/name[@revision].")
  Path model;

  @Override
  public Integer call() throws Exception {
    Path dir = ModelResolver.resolve(model.toString());
    EncoderConfig config = ModelDirectory.readConfig(dir);
    // counted over the family's tensor shapes, nothing allocated: config.json's caps keep it exact in a long
    long parameters = ModelConfigLimits.parameterCount(config);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("model:          %s%n", dir.toAbsolutePath());
    out.printf("architecture:   %s (model_type %s)%n", config.family().tokenClassificationClass(), config.modelType());
    out.printf("layers:         %d%n", config.numHiddenLayers());
    out.printf("hidden size:    %d (%d heads of %d)%n", config.hiddenSize(), config.numAttentionHeads(), config.headDim());
    out.printf("intermediate:   %d (%s)%n", config.intermediateSize(), config.hiddenAct().hfName());
    out.printf("vocabulary:     %d%n", config.vocabSize());
    out.printf("max positions:  %d (sequences of up to %d tokens)%n", config.maxPositionEmbeddings(),
        config.maxSequenceLength());
    out.printf("parameters:     %,d (%s as float32)%n", parameters, ModelConfigLimits.humanBytes(ModelConfigLimits.weightBytes(config)));
    out.printf("memory needed:  at least %s to tag on the CPU, %s to train (weights, gradients, AdamW moments and one"
        + " max-length sequence)%n", ModelConfigLimits.humanBytes(ModelConfigLimits.estimatedBytes(config, ModelConfigLimits.Purpose.INFERENCE)),
        ModelConfigLimits.humanBytes(ModelConfigLimits.estimatedBytes(config, ModelConfigLimits.Purpose.TRAINING)));
    out.printf("labels (%d):    %s%n", config.numLabels(), String.join(" ", config.labels()));
    CrfSettings crf = CrfSettings.of(config);
    if (crf.enabled()) {
      out.printf("CRF head:       %s transitions, decoded with Viterbi over %s%n",
          TransitionConstraints.forLabels(config.labels()).scheme(), crf.everySubToken() ? "every sub-token"
              : "each word's first sub-token");
    }
    return 0;
  }
}
