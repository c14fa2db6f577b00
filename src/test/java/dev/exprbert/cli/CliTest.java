package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.testing.TinyModelDirectory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ExprbertCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void infoDescribesTheModel() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    Run r = run("info", "--model", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("BertForTokenClassification"), r.out());
    assertTrue(r.out().matches("(?s).*layers:\\s+2\\R.*"), r.out());
    // embeddings 100*32 + 32*32 + 2*32 + 2*32 = 4,352; a layer 4*(32*32+32) + 2*32 + (32*64+64) + (64*32+32)
    // + 2*32 = 8,544; head 32*5 + 5 = 165; total 4,352 + 2*8,544 + 165 = 21,605
    assertTrue(r.out().matches("(?s).*parameters:\\s+21,605 \\(84\\.4 KiB as float32\\)\\R.*"), r.out());
    assertTrue(r.out().matches("(?s).*memory needed:\\s+at least \\S+ KiB to tag on the CPU, \\S+ KiB to train.*"), r.out());
    assertTrue(r.out().contains("O B-EXPR I-EXPR B-TIME I-TIME"), r.out());
  }

  @Test
  void predictPrintsOneTagPerWordInCoNLL() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    Path input = tmp.resolve("in.txt");
    Files.writeString(input, "We met on Monday .\n\nI loved it\n");
    Run r = run("predict", "--model", dir.toString(), "--input", input.toString());
    assertEquals(0, r.code(), r.err());
    String[] blocks = r.out().strip().split("\\R\\R");
    assertEquals(2, blocks.length, r.out());
    String[] first = blocks[0].split("\\R");
    assertEquals(5, first.length);
    assertTrue(first[0].matches("We\t(O|[BI]-(EXPR|TIME))"), first[0]);
    assertEquals(3, blocks[1].split("\\R").length);
  }

  @Test
  void packedFlagNeedsFusedAttentionAndSaysSo() {
    for (String flag : new String[] {"--padding_free", "--packed"}) {
      Run r = run("train", "--output_dir", tmp.resolve("out").toString(), "--attention", "sdpa", flag);
      assertEquals(2, r.code(), r.out()); // a combination of flags the rules refuse: a usage error
      assertTrue(r.err().contains("padding_free") && r.err().contains("--attention fused"), r.err());
    }
  }

  @Test
  void failuresGiveExitCode1AndOneLineReason() {
    Run r = run("info", "--model", tmp.resolve("missing").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("exprbert info: ") && r.err().contains("config.json"), r.err());
    assertEquals(1, r.err().strip().split("\\R").length, r.err());
  }

  @Test
  void usageErrorsGiveExitCode2() {
    assertEquals(2, run("info").code());
    assertEquals(2, run("no-such-command").code());
  }

  /** predict and evaluate never run on weights that are not in the file: one line naming the tensor, exit 1. */
  @Test
  void predictAndEvaluateRefuseIncompleteWeights() throws Exception {
    Path dev = tmp.resolve("dev.conll");
    Files.writeString(dev, "we O\nmet O\nmonday B-TIME\n\n");
    Path input = Files.writeString(tmp.resolve("in.txt"), "we met on monday\n");
    Path empty = TinyModelDirectory.withRenamedWeights(tmp.resolve("empty"), k -> null);
    Path headless = TinyModelDirectory.withRenamedWeights(tmp.resolve("headless"), k -> k.startsWith("classifier.") ? null : k);
    Path renamed = TinyModelDirectory.withRenamedWeights(tmp.resolve("renamed"),
        k -> k.replace("bert.embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.b"));
    java.util.Map<Path, String> expected = java.util.Map.of(
        empty, "model.safetensors holds no tensors",
        headless, "model.safetensors has no tensor 'classifier.weight' (expected by config.json's 5 labels)",
        renamed, "model.safetensors has no tensor 'bert.embeddings.LayerNorm.bias' (expected by every BERT encoder);"
            + " it has tensors the model does not use: bert.embeddings.LayerNorm.b");
    for (var e : expected.entrySet()) {
      for (Run r : java.util.List.of(run("predict", "--model", e.getKey().toString(), "--input", input.toString()),
          run("evaluate", "--model", e.getKey().toString(), "--validation_file", dev.toString()))) {
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains(e.getKey().resolve(e.getValue().substring(0, e.getValue().indexOf(' '))) + e.getValue()
            .substring(e.getValue().indexOf(' '))), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
      }
    }
  }

  /** info printed a negative parameter count for absurd sizes; now caps refuse them and big legal ones count exactly. */
  @Test
  void infoReportsSizesWithoutOverflow() throws Exception {
    Path huge = Files.createDirectories(tmp.resolve("huge"));
    Files.writeString(huge.resolve("config.json"), "{\"vocab_size\": 30522, \"hidden_size\": 1000000000,"
        + " \"num_hidden_layers\": 1000000, \"num_attention_heads\": 1, \"intermediate_size\": 3072}");
    Run refused = run("info", "--model", huge.toString());
    assertEquals(1, refused.code(), refused.err());
    assertTrue(refused.err().contains("hidden_size: 1,000,000,000 is above the limit of 65,536"), refused.err());
    assertEquals(1, refused.err().lines().count(), refused.err());

    Path largest = Files.createDirectories(tmp.resolve("largest"));
    Files.writeString(largest.resolve("config.json"), "{\"vocab_size\": 10000000, \"hidden_size\": 65536,"
        + " \"num_hidden_layers\": 1024, \"num_attention_heads\": 1, \"intermediate_size\": 1048576,"
        + " \"max_position_embeddings\": 1048576, \"type_vocab_size\": 10000000}");
    Run r = run("info", "--model", largest.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s).*parameters:\\s+159,710,791,860,226 \\(581\\.0 TiB as float32\\)\\R.*"), r.out());
  }
}
