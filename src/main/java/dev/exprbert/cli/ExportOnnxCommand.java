package dev.exprbert.cli;

import dev.exprbert.export.OnnxExport;
import dev.exprbert.hub.ModelResolver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code exprbert export-onnx --model DIR --out model.onnx}: the token classifier as one ONNX graph. */
@Command(name = "export-onnx", mixinStandardHelpOptions = true,
    description = {"Export a token classifier (BERT encoder + head) as an ONNX graph: inputs input_ids, attention_mask,"
        + " token_type_ids (int64), output logits (float32).",
        "Without --dynamic-axes the inputs have the fixed shape [--batch-size, --sequence-length]."})
final class ExportOnnxCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory (or hub name org/name[@revision]).")
  String model;

  @Option(names = "--out", required = true, description = "The .onnx file to write (replaced atomically).")
  Path out;

  @Option(names = "--opset", defaultValue = "17", description = "ONNX opset, 13 to 21 (default: ${DEFAULT-VALUE}).")
  int opset;

  @Option(names = "--dynamic-axes", description = "Symbolic batch_size and sequence_length axes instead of a fixed shape.")
  boolean dynamicAxes;

  @Option(names = "--batch-size", defaultValue = "1", description = "Batch size of a fixed-shape export (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--sequence-length",
      description = "Sequence length of a fixed-shape export (default: the model's max_position_embeddings).")
  Integer sequenceLength;

  @Override
  public Integer call() throws Exception {
    OnnxExport.Summary summary = OnnxExport.export(ModelResolver.resolve(model), out,
        new OnnxExport.Options(opset, dynamicAxes, batchSize, sequenceLength));
    PrintWriter w = spec.commandLine().getOut();
    w.printf("wrote %s: opset %d (IR %d), inputs %s, %,d parameters, %,d bytes, labels %s%n", summary.file().toAbsolutePath(),
        summary.opset(), summary.irVersion(), summary.shape(), summary.parameters(), summary.bytes(),
        String.join(" ", summary.labels()));
    if (summary.warning() != null) {
      spec.commandLine().getErr().println("warning: " + summary.warning());
    }
    return 0;
  }
}
