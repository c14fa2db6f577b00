package dev.exprbert.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.export.OnnxExport;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.exprbert.testing.TinyModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head of a token-classification export: labels from metadata, defaults without it, and malformed heads refused. */
class OnnxTokenClassifierImporterTest {
  @TempDir Path tmp;
  private ModelProto exported;

  @BeforeEach
  void export() throws Exception {
    Path onnx = tmp.resolve("tiny.onnx");
    OnnxExport.export(TinyModelDirectory.create(tmp.resolve("m")), onnx, OnnxExport.Options.defaults());
    exported = ModelProto.parseFrom(Files.readAllBytes(onnx));
  }

  private Path write(UnaryOperator<ModelProto.Builder> change) throws Exception {
    Path file = Files.createTempFile(tmp, "changed", ".onnx");
    Files.write(file, change.apply(exported.toBuilder()).build().toByteArray());
    return file;
  }

  @Test
  void readsTheHeadAndTheLabels() throws Exception {
    try (OnnxTokenClassifierImporter.Imported imported = OnnxTokenClassifierImporter.importModel(write(b -> b), OptionalInt.empty())) {
      assertTrue(imported.hasHead());
      assertEquals(List.of("O", "B-EXPR", "I-EXPR", "B-TIME", "I-TIME"), imported.labels());
      assertEquals(5, imported.classifierWeight().size(0), "[num_labels, hidden] as nn.Linear keeps it");
      assertEquals(32, imported.classifierWeight().size(1));
      assertTrue(imported.tokenClassifierWeights().containsKey("bert.encoder.layer.1.output.dense.weight"));
    }
  }

  @Test
  void withoutMetadataTheLabelsAreHuggingFaceDefaults() throws Exception {
    try (OnnxTokenClassifierImporter.Imported imported =
        OnnxTokenClassifierImporter.importModel(write(ModelProto.Builder::clearMetadataProps), OptionalInt.empty())) {
      assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3", "LABEL_4"), imported.labels());
    }
  }

  @Test
  void labelsThatDoNotFitTheHeadAreRefused() throws Exception {
    Path file = write(b -> b.clearMetadataProps()
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("id2label").setValue("{\"0\": \"O\", \"1\": \"B-X\"}")));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxTokenClassifierImporter.importModel(file,
        OptionalInt.empty()));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("5 outputs"), e.getMessage());
  }

  @Test
  void aHeadWithoutItsBiasAddIsRefused() throws Exception {
    Path file = write(b -> {
      b.getGraphBuilder().getNodeBuilderList().stream().filter(n -> n.getName().equals("/classifier/Add"))
          .forEach(n -> n.setName("/classifier/Plus"));
      return b;
    });
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxTokenClassifierImporter.importModel(file,
        OptionalInt.empty()));
    assertTrue(e.getMessage().contains("/classifier/Add"), e.getMessage());
  }

  @Test
  void anEncoderExportHasNoHead() {
    try (OnnxTokenClassifierImporter.Imported imported =
        OnnxTokenClassifierImporter.importModel(MiniLmFiles.onnx(), OptionalInt.empty())) {
      assertFalse(imported.hasHead());
      assertEquals(List.of(), imported.labels());
      assertEquals(384, imported.encoder().hiddenSize());
    }
  }
}
