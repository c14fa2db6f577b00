package dev.exprbert.io.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.exprbert.io.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files the importer must refuse with a message naming the file, what was expected and what was found. */
class OnnxBertImporterBadInputTest {
  @TempDir Path dir;

  @Test
  void truncatedModelIsRefused() throws IOException {
    Path full = MiniLmFiles.onnx();
    long size = Files.size(full);
    for (long keep : new long[] {size / 3, size - 3}) { // inside the weights; inside the trailing opset_import
      Path cut = dir.resolve("cut-" + keep + ".onnx");
      copyPrefix(full, cut, keep);
      OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(cut));
      assertMentions(e, cut.toString(), "truncated or not an ONNX model");
    }
  }

  @Test
  void emptyAndNonOnnxFilesAreRefused() throws IOException {
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(empty)), empty.toString(), "empty");
    Path text = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 384}\n");
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(text)), text.toString(),
        "truncated or not an ONNX model");
    Path missing = dir.resolve("nowhere.onnx");
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(missing)), missing.toString(),
        "Cannot read");
  }

  @Test
  void validOnnxThatIsNotBertIsRefused() throws IOException {
    TensorProto bias = TensorProto.newBuilder().setName("linear.bias").setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(2)
        .addFloatData(0.5f).addFloatData(-0.5f).build();
    ModelProto add = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(GraphProto.newBuilder().setName("add").addInitializer(bias)
            .addNode(NodeProto.newBuilder().setOpType("Add").setName("/Add").addInput("x").addInput("linear.bias").addOutput("y")))
        .build();
    Path file = Files.write(dir.resolve("add.onnx"), add.toByteArray());
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), "expected a BERT encoder", "embeddings.word_embeddings.weight", "linear.bias", "[Add]");
  }

  @Test
  void matMulWhoseNameIsNotABertLayerIsRefused() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.renameNodes.put("/encoder/layer.1/output/dense/MatMul", "/encoder/layer.1/output/projection/MatMul");
    Path file = tiny.write(dir);
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), "/encoder/layer.1/output/projection/MatMul", "does not map to a BERT Linear layer",
        "/encoder/layer.N/output/dense/MatMul");
  }

  @Test
  void missingWeightIsNamed() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.dropInitializers.add("encoder.layer.1.output.LayerNorm.bias");
    Path file = tiny.write(dir);
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), "missing 1 weight(s) of a 2-layer BERT encoder", "encoder.layer.1.output.LayerNorm.bias");
  }

  @Test
  void disagreeingLayerNormEpsilonsAreRefused() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.epsOverrides.put("/encoder/layer.1/output/LayerNorm", 1e-5f);
    Path file = tiny.write(dir);
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), "LayerNorm epsilons disagree", "1.0E-12", "1.0E-5", "/encoder/layer.1/output/LayerNorm/Sqrt");
  }

  @Test
  void externalDataIsRefusedWithTheWayOut() throws IOException {
    ModelProto tiny = new TinyBertOnnx().build();
    GraphProto.Builder graph = tiny.getGraph().toBuilder();
    TensorProto words = graph.getInitializer(0);
    graph.setInitializer(0, words.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("model.onnx_data")));
    Path file = Files.write(dir.resolve("external.onnx"), tiny.toBuilder().setGraph(graph).build().toByteArray());
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), words.getName(), "model.onnx_data", "external data is not supported", "save_as_external_data=False");
  }

  @Test
  void weightWithTooFewBytesIsRefused() throws IOException {
    ModelProto tiny = new TinyBertOnnx().build();
    GraphProto.Builder graph = tiny.getGraph().toBuilder();
    int last = graph.getInitializerCount() - 1;
    TensorProto bias = graph.getInitializer(last);
    graph.setInitializer(last, bias.toBuilder().setRawData(ByteString.copyFrom(new byte[12])));
    Path file = Files.write(dir.resolve("short.onnx"), tiny.toBuilder().setGraph(graph).build().toByteArray());
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertMentions(e, file.toString(), bias.getName(), "holds 12 bytes of raw_data; expected 32");
  }

  /** int64 dims can hold anything: negative sizes and products past 2^63 are refused by name, not by an ArithmeticException. */
  @Test
  void negativeAndOverflowingDimsAreRefused() throws IOException {
    ModelProto tiny = new TinyBertOnnx().build();
    for (long[] dims : new long[][] {{-8}, {1L << 40, 1L << 40}, {Integer.MAX_VALUE + 1L, 1}}) {
      GraphProto.Builder graph = tiny.getGraph().toBuilder();
      int last = graph.getInitializerCount() - 1;
      TensorProto bias = graph.getInitializer(last);
      graph.setInitializer(last, bias.toBuilder().clearDims().addAllDims(java.util.Arrays.stream(dims).boxed().toList()));
      Path file = Files.write(dir.resolve("dims.onnx"), tiny.toBuilder().setGraph(graph).build().toByteArray());
      OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
      assertMentions(e, file.toString());
      assertTrue(e.getMessage().contains("negative dimension") || e.getMessage().contains("overflows 64 bits")
          || e.getMessage().contains("has shape"), e.getMessage());
    }
    // a word-embedding table wider than an int: refused as a size, before any tensor is made
    GraphProto.Builder graph = tiny.getGraph().toBuilder();
    TensorProto words = graph.getInitializer(0);
    graph.setInitializer(0, words.toBuilder().clearDims().addDims(3_000_000_000L).addDims(8));
    Path file = Files.write(dir.resolve("wide.onnx"), tiny.toBuilder().setGraph(graph).build().toByteArray());
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file)), file.toString(),
        "[3000000000, 8]; expected sizes from 1 to 2147483647");
  }

  @Test
  void positionIdsOfAnotherLengthOrRawDataOfTheWrongSizeAreRefused() throws IOException {
    ModelProto tiny = new TinyBertOnnx().build();
    GraphProto.Builder graph = tiny.getGraph().toBuilder();
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      if (graph.getInitializer(i).getName().equals("embeddings.position_ids")) {
        graph.setInitializer(i, graph.getInitializer(i).toBuilder().clearInt64Data().clearDims().addDims(1).addDims(0));
      }
    }
    Path empty = Files.write(dir.resolve("empty-positions.onnx"), tiny.toBuilder().setGraph(graph).build().toByteArray());
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(empty)), empty.toString(),
        "embeddings.position_ids holds 0 positions; expected 0..6");

    GraphProto.Builder raw = tiny.getGraph().toBuilder();
    for (int i = 0; i < raw.getInitializerCount(); i++) {
      if (raw.getInitializer(i).getName().equals("embeddings.position_ids")) {
        raw.setInitializer(i, raw.getInitializer(i).toBuilder().clearInt64Data().setRawData(ByteString.copyFrom(new byte[20])));
      }
    }
    Path odd = Files.write(dir.resolve("odd-positions.onnx"), tiny.toBuilder().setGraph(raw).build().toByteArray());
    assertMentions(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(odd)), odd.toString(),
        "holds 20 bytes of raw_data; expected 7 elements of 8 bytes");
  }

  private static void assertMentions(Exception e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "message lacks '" + part + "': " + e.getMessage());
    }
  }

  private static void copyPrefix(Path from, Path to, long bytes) throws IOException {
    try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
      byte[] buffer = new byte[1 << 16];
      long left = bytes;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        out.write(buffer, 0, n);
        left -= n;
      }
    }
  }
}
