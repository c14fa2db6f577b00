package dev.exprbert.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.RandomTokenClassifier;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * export-onnx of a model with a CRF head: the graph is the emission model (ONNX Runtime's logits equal ours), the
 * CRF's scores ride in the metadata for a consumer's Viterbi, the command warns that an argmax is not the model's
 * prediction, and {@code convert} reads the file back as a plain token classifier.
 */
class OnnxExportCrfTest {
  @TempDir Path tmp;

  @Test
  void aCrfModelExportsItsEmissionsWithTheCrfScoresInTheMetadataAndAWarning() throws Exception {
    BertConfig config = (BertConfig) new CrfSettings(true, false).applyTo(RandomTokenClassifier.config(HiddenActivation.GELU));
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), config, 3);
    Path onnx = tmp.resolve("model.onnx");
    Cli.Run r = Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--dynamic-axes");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("warning: " + model + " has a CRF head: the ONNX graph computes its emissions (the logits)"
        + " only, and an argmax over them is not the model's prediction"), r.err());
    long graphParameters = Long.parseLong(r.out().replaceAll("(?s).*inputs \\[batch_size, sequence_length], ([0-9,]+)"
        + " parameters.*", "$1").replace(",", ""));

    OnnxParity.Result parity = OnnxParity.compare(model, onnx, OnnxParity.openerSentences(8, 5), 0);
    assertTrue(parity.maxError() <= OnnxExportTest.TOLERANCE, parity.maxError() + " at " + parity.where());

    try (TokenClassifier classifier = TokenClassifier.load(model, Placement.CPU_FLOAT32, "eager");
        OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      var metadata = session.getMetadata();
      assertEquals("true", metadata.getCustomMetadataValue(CrfSettings.USE_CRF).orElseThrow());
      assertEquals("false", metadata.getCustomMetadataValue(CrfSettings.LABEL_ALL_TOKENS).orElseThrow());
      float[] transitions = Tensors.toFloatArray(classifier.model().weights().get(LinearChainCrf.TRANSITIONS));
      JsonArray rows = JsonParser.parseString(metadata.getCustomMetadataValue(LinearChainCrf.TRANSITIONS).orElseThrow())
          .getAsJsonArray();
      assertEquals(5, rows.size());
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
          assertEquals(transitions[i * 5 + j], rows.get(i).getAsJsonArray().get(j).getAsFloat(), "transition " + i + "," + j);
        }
      }
      float[] end = Tensors.toFloatArray(classifier.model().weights().get(LinearChainCrf.END));
      JsonArray endRow = JsonParser.parseString(metadata.getCustomMetadataValue(LinearChainCrf.END).orElseThrow())
          .getAsJsonArray();
      assertEquals(end[4], endRow.get(4).getAsFloat());
      assertEquals(classifier.model().parameterCount() - 25 - 5 - 5, graphParameters, "the graph holds no CRF tensor");
    }

    Path back = tmp.resolve("back");
    Cli.Run converted = Cli.run("convert", "--onnx", onnx.toString(), "--tokenizer", model.resolve("tokenizer.json")
        .toString(), "--out", back.toString());
    assertEquals(0, converted.code(), converted.err());
    try (TokenClassifier emissions = TokenClassifier.load(back, Placement.CPU_FLOAT32, "eager")) {
      assertEquals(null, emissions.model().crf(), "convert brings back the emission model only");
      assertEquals(CrfSettings.NONE, CrfSettings.of(emissions.config()));
    }
  }
}
