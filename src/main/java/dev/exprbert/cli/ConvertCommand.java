package dev.exprbert.cli;

import dev.exprbert.convert.OnnxToHuggingFace;
import dev.exprbert.model.bert.BertConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code exprbert convert --onnx model.onnx --tokenizer tokenizer.json --out DIR}: ONNX BERT encoder to an HF directory. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a BERT encoder exported to ONNX, with its tokenizer.json, into a Hugging Face model directory.")
final class ConvertCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--onnx", required = true, description = "The ONNX export of a BERT encoder (BertModel) or token classifier (export-onnx).")
  Path onnx;

  @Option(names = "--tokenizer", required = true, description = "The model's Hugging Face tokenizer.json.")
  Path tokenizer;

  @Option(names = "--out", required = true, description = "Output directory; must be new or empty unless --overwrite.")
  Path out;

  @Option(names = "--num-heads", description = "Attention head count, for graphs that do not show it.")
  Integer numHeads;

  @Option(names = "--overwrite", description = "Replace a non-empty output directory.")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    if (numHeads != null && numHeads < 1) {
      throw new IllegalArgumentException("--num-heads must be a positive integer; got " + numHeads);
    }
    BertConfig config = OnnxToHuggingFace.convert(onnx, tokenizer, out,
        numHeads == null ? OptionalInt.empty() : OptionalInt.of(numHeads), overwrite);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("wrote %s: %s, %d layers, hidden %d (%d heads), intermediate %d (%s), vocabulary %d%n",
        out.toAbsolutePath(), String.join(", ", config.architectures()), config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads(),
        config.intermediateSize(), config.hiddenAct().hfName(), config.vocabSize());
    return 0;
  }
}
