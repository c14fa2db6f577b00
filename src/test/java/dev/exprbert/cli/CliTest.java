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
      Run r = run("train", "--output_dir", tmp.resolve("out").toString(), flag);
      assertEquals(1, r.code(), r.out());
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
}
