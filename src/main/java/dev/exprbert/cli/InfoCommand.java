package dev.exprbert.cli;

import dev.exprbert.hub.ModelResolver;
import dev.exprbert.model.BertConfig;
import dev.exprbert.model.BertConfigLimits;
import dev.exprbert.model.ModelDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
    BertConfig config = ModelDirectory.readConfig(dir);
    // computed from the sizes, not by listing every tensor: config.json's caps keep it exact in a long
    long parameters = BertConfigLimits.parameterCount(config);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("model:          %s%n", dir.toAbsolutePath());
    out.printf("architecture:   BertForTokenClassification (model_type %s)%n", config.modelType());
    out.printf("layers:         %d%n", config.numHiddenLayers());
    out.printf("hidden size:    %d (%d heads of %d)%n", config.hiddenSize(), config.numAttentionHeads(), config.headDim());
    out.printf("intermediate:   %d (%s)%n", config.intermediateSize(), config.hiddenAct().hfName());
    out.printf("vocabulary:     %d%n", config.vocabSize());
    out.printf("max positions:  %d%n", config.maxPositionEmbeddings());
    out.printf("parameters:     %,d (%s as float32)%n", parameters, BertConfigLimits.humanBytes(BertConfigLimits.weightBytes(config)));
    out.printf("memory needed:  at least %s to tag on the CPU, %s to train (weights, gradients, AdamW moments and one"
        + " max-length sequence)%n", BertConfigLimits.humanBytes(BertConfigLimits.estimatedBytes(config, BertConfigLimits.Purpose.INFERENCE)),
        BertConfigLimits.humanBytes(BertConfigLimits.estimatedBytes(config, BertConfigLimits.Purpose.TRAINING)));
    out.printf("labels (%d):    %s%n", config.numLabels(), String.join(" ", config.labels()));
    return 0;
  }
}
