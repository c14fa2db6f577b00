package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.TestTokenizers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exprbert train} (flags with HF names in both spellings, a JSON config) and {@code exprbert evaluate}. */
class TrainAndEvaluateCommandTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ExprbertCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private Path slice(String split, int sentences) throws Exception {
    return ConllSample.openerSlice(split, sentences, tmp);
  }

  private Path smallConfig() throws Exception {
    Path file = tmp.resolve("bert-config.json");
    BertConfig.builder().vocabSize(30522).hiddenSize(32).numHiddenLayers(1).numAttentionHeads(2).intermediateSize(64)
        .maxPositionEmbeddings(128).padTokenId(0).build().write(file);
    return file;
  }

  @Test
  void trainThenEvaluateFromTheCommandLine() throws Exception {
    Path train = slice("train", 24);
    Path dev = slice("dev", 8);
    Path out = tmp.resolve("run");
    Path json = tmp.resolve("args.json");
    Files.writeString(json, "{\"learning_rate\": 0.5, \"per_device_train_batch_size\": 8, \"seed\": 7}");
    Run trained = run("train", "--config", json.toString(), "--config_name", smallConfig().toString(),
        "--tokenizer-name", TestTokenizers.miniLm(tmp).toString(), "--train_file", train.toString(),
        "--validation-file", dev.toString(), "--output_dir", out.toString(), "--learning-rate", "1e-3",
        "--num_train_epochs", "2", "--eval_strategy", "epoch", "--save-strategy", "no", "--logging_steps", "1",
        "--disable_tqdm", "--optimizer", "torch-adamw", "--attention", "eager");
    assertEquals(0, trained.code(), trained.err());
    assertTrue(trained.out().contains("trained 6 steps"), trained.out());
    assertTrue(trained.out().contains("\"overall_f1\"") && trained.out().contains("micro avg"), trained.out());
    JsonObject args = JsonParser.parseString(Files.readString(out.resolve("training_args.json"))).getAsJsonObject();
    assertEquals(1e-3, args.get("learning_rate").getAsDouble(), "a flag overrides the --config file");
    assertEquals(7, args.get("seed").getAsInt(), "the --config file is read");
    assertEquals("torch-adamw", args.get("optim").getAsString(), "the --optimizer spelling is an alias of optim");
    assertEquals("eager", args.get("attn_implementation").getAsString(), "--attention is an alias");
    assertTrue(args.get("disable_tqdm").getAsBoolean(), "a bare switch means true");

    Run again = run("train", "--config_name", smallConfig().toString(), "--tokenizer_name", tmp.resolve("minilm").toString(),
        "--train_file", train.toString(), "--output_dir", out.toString(), "--max_steps", "1");
    assertEquals(1, again.code());
    assertTrue(again.err().startsWith("exprbert train: output_dir") && again.err().contains("--overwrite_output_dir"),
        again.err());
    assertEquals(1, again.err().strip().split("\\R").length, again.err());

    Run evaluated = run("evaluate", "--model", out.toString(), "--validation_file", dev.toString());
    assertEquals(0, evaluated.code(), evaluated.err());
    String jsonText = evaluated.out().substring(0, evaluated.out().indexOf("}\n") + 1);
    JsonObject metrics = JsonParser.parseString(jsonText).getAsJsonObject();
    for (String key : List.of("eval_loss", "overall_precision", "overall_recall", "overall_f1", "overall_accuracy")) {
      assertTrue(metrics.has(key), key + " missing: " + jsonText);
    }
    Run fused = run("evaluate", "--model", out.toString(), "--validation_file", dev.toString(), "--attention", "fused");
    assertEquals(0, fused.code(), fused.err());
    JsonObject fusedMetrics = JsonParser.parseString(fused.out().substring(0, fused.out().indexOf("}\n") + 1)).getAsJsonObject();
    for (String key : List.of("overall_precision", "overall_recall", "overall_f1", "overall_accuracy")) {
      assertEquals(metrics.get(key).getAsDouble(), fusedMetrics.get(key).getAsDouble(), 1e-12, key + " (packed, fused)");
    }
    assertEquals(metrics.get("eval_loss").getAsDouble(), fusedMetrics.get("eval_loss").getAsDouble(), 1e-5, "eval_loss");
    Path withUnknown = tmp.resolve("unknown.conll");
    Files.writeString(withUnknown, "Fine\tB-Mixed\nday\tO\n");
    Run unknown = run("evaluate", "--model", out.toString(), "--data", withUnknown.toString());
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("[B-Mixed]"), unknown.err());
    Run mapped = run("evaluate", "--model", out.toString(), "--data", withUnknown.toString(), "--unknown-labels-to-o");
    assertEquals(0, mapped.code(), mapped.err());
    assertTrue(mapped.out().contains("no entity in the gold or the predicted labels"), mapped.out());
  }

  @Test
  void unknownFlagsAndBadValuesAreUsageOrInputErrors() {
    assertEquals(2, run("train", "--learning_rat", "1").code());
    Run bad = run("train", "--output_dir", tmp.toString(), "--eval_strategy", "daily");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--eval_strategy: expected no, steps or epoch, found 'daily'"), bad.err());
  }
}
