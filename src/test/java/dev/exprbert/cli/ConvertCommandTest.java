package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.convert.TinyOnnxFiles;
import dev.exprbert.io.onnx.MiniLmFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exprbert convert}: success, the output-directory rule, and one-line reasons for bad inputs. */
class ConvertCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ExprbertCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertOneLineFailure(Run r, String... fragments) {
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("exprbert convert: "), r.err());
    assertEquals(1, r.err().strip().split("\\R").length, r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
    }
  }

  @Test
  void convertsAndThenInfoReadsTheDirectory() throws Exception {
    Path onnx = TinyOnnxFiles.onnx(tmp.resolve("in"));
    Path tokenizer = TinyOnnxFiles.tokenizerJson(tmp.resolve("in/tokenizer.json"), TinyOnnxFiles.VOCAB, true);
    Path out = tmp.resolve("hf");
    Run r = run("convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(), "--out", out.toString(), "--num-heads", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("2 layers, hidden 8 (2 heads)"), r.out());
    Run info = run("info", "--model", out.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("LABEL_0 LABEL_1"), info.out());
  }

  @Test
  void refusesANonEmptyDirectoryUnlessOverwrite() throws Exception {
    Path onnx = TinyOnnxFiles.onnx(tmp.resolve("in"));
    Path tokenizer = TinyOnnxFiles.tokenizerJson(tmp.resolve("in/tokenizer.json"), TinyOnnxFiles.VOCAB, true);
    Path out = Files.createDirectories(tmp.resolve("hf"));
    Files.writeString(out.resolve("README.md"), "someone's model");
    String[] args = {"convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(), "--out", out.toString()};
    assertOneLineFailure(run(args), out.toString(), "not empty", "--overwrite");
    assertTrue(Files.exists(out.resolve("README.md")));

    String[] withOverwrite = java.util.Arrays.copyOf(args, args.length + 1);
    withOverwrite[args.length] = "--overwrite";
    Run r = run(withOverwrite);
    assertEquals(0, r.code(), r.err());
    assertFalse(Files.exists(out.resolve("README.md")));
    assertTrue(Files.isRegularFile(out.resolve("config.json")));
  }

  @Test
  void aValidOnnxFileThatIsNotBertFails() throws Exception {
    // A sentence-embedding head on top would be refused too; here the simplest non-BERT graph: one Add.
    byte[] add = dev.exprbert.io.onnx.proto.OnnxProto.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(dev.exprbert.io.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(dev.exprbert.io.onnx.proto.OnnxProto.GraphProto.newBuilder().setName("add")
            .addNode(dev.exprbert.io.onnx.proto.OnnxProto.NodeProto.newBuilder().setOpType("Add").setName("/Add")
                .addInput("x").addInput("y").addOutput("z")))
        .build().toByteArray();
    Path onnx = Files.write(tmp.resolve("add.onnx"), add);
    Path tokenizer = TinyOnnxFiles.tokenizerJson(tmp.resolve("tokenizer.json"), TinyOnnxFiles.VOCAB, true);
    Path out = tmp.resolve("hf");
    Run r = run("convert", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(), "--out", out.toString());
    assertOneLineFailure(r, onnx.toString(), "expected a BERT encoder");
    assertFalse(Files.exists(out), "nothing is written for a refused input");
  }

  @Test
  void aTruncatedOnnxFileFails() throws Exception {
    Path cut = tmp.resolve("cut.onnx");
    try (InputStream in = Files.newInputStream(MiniLmFiles.onnx()); OutputStream o = Files.newOutputStream(cut)) {
      o.write(in.readNBytes(1_000_000)); // inside the first weights
    }
    Path out = tmp.resolve("hf");
    Run r = run("convert", "--onnx", cut.toString(), "--tokenizer", MiniLmFiles.tokenizerJson().toString(), "--out", out.toString());
    assertOneLineFailure(r, cut.toString(), "truncated or not an ONNX model");
    assertFalse(Files.exists(out));
  }

  @Test
  void aTokenizerWhoseVocabularyDisagreesWithTheEmbeddingsFails() throws IOException {
    Path onnx = TinyOnnxFiles.onnx(tmp.resolve("in"));
    Path out = tmp.resolve("hf");
    Run r = run("convert", "--onnx", onnx.toString(), "--tokenizer", MiniLmFiles.tokenizerJson().toString(), "--out", out.toString());
    assertOneLineFailure(r, MiniLmFiles.tokenizerJson().toString(), "30522 token ids", "has 11 rows");
    assertFalse(Files.exists(out));
  }

  @Test
  void aMissingTokenizerFileFails() throws IOException {
    Path onnx = TinyOnnxFiles.onnx(tmp.resolve("in"));
    Run r = run("convert", "--onnx", onnx.toString(), "--tokenizer", tmp.resolve("none.json").toString(), "--out",
        tmp.resolve("hf").toString());
    assertOneLineFailure(r, "none.json", "does not exist");
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    assertEquals(2, run("convert", "--onnx", "x.onnx").code());
  }
}
