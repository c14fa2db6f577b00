package dev.exprbert.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.convert.PretrainedMiniLm;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.testing.Cli;
import dev.exprbert.train.TrainResult;
import dev.exprbert.train.Trainer;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * all-MiniLM-L6-v2 fine-tuned for a few steps on OpeNER_en expressions through the Trainer API, exported, run in
 * ONNX Runtime against our logits, and converted back.
 */
class OnnxExportMiniLmTest {
  static final Path OPENER_TRAIN = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "train.conll");

  @TempDir Path tmp;

  @Test
  void fineTunedMiniLmMatchesOnnxRuntimeAndConvertsBack() throws Exception {
    Path train = firstSentences(OPENER_TRAIN, 32, tmp.resolve("train.conll"));
    Path run = tmp.resolve("run");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", run)
        .set("model_name_or_path", PretrainedMiniLm.ensureConverted().toString()).set("train_file", train)
        .set("num_train_epochs", 1.0).set("per_device_train_batch_size", 16).set("learning_rate", 1e-3)
        .set("save_strategy", "no").set("eval_strategy", "no").set("disable_tqdm", true).build();
    TrainResult result;
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(), prepared.train(),
            prepared.eval())) {
      result = trainer.train();
    }
    assertEquals(2, result.globalStep(), "32 sentences in batches of 16");
    EncoderConfig fineTuned = ModelDirectory.readConfig(run);
    assertEquals(384, fineTuned.hiddenSize());
    assertEquals(List.of("B-EXPR", "I-EXPR", "O"), fineTuned.labels(), "the data's labels, sorted as run_ner sorts them");

    Path onnx = tmp.resolve("minilm-ner.onnx");
    Cli.Run exported = Cli.run("export-onnx", "--model", run.toString(), "--out", onnx.toString(),
        "--dynamic-axes");
    assertEquals(0, exported.code(), exported.err());
    OnnxParity.Result parity = OnnxParity.compare(run, onnx, OnnxParity.openerSentences(12, 17), 0);
    System.out.println("fine-tuned MiniLM, opset 17: max |onnxruntime - exprbert| = " + parity.maxError() + " at "
        + parity.where() + " (" + parity.sentences() + " sentences padded to " + parity.paddedLength() + ")");
    assertTrue(parity.maxError() <= OnnxExportTest.TOLERANCE, parity.maxError() + " at " + parity.where());

    Path back = tmp.resolve("back");
    Cli.Run converted = Cli.run("convert", "--onnx", onnx.toString(), "--tokenizer",
        run.resolve("tokenizer.json").toString(), "--out", back.toString());
    assertEquals(0, converted.code(), converted.err());
    OnnxExportTest.assertSameWeights(run, back);
    assertEquals(fineTuned.labels(), ModelDirectory.readConfig(back).labels());
  }

  /** The first {@code count} blank-line separated sentences of a CoNLL file. */
  static Path firstSentences(Path conll, int count, Path out) throws Exception {
    List<String> lines = new ArrayList<>();
    int sentences = 0;
    for (String line : Files.readAllLines(conll)) {
      lines.add(line);
      if (line.isBlank() && ++sentences == count) {
        break;
      }
    }
    Files.write(out, lines);
    return out;
  }
}
