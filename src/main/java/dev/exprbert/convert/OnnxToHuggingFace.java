package dev.exprbert.convert;

import dev.exprbert.io.Safetensors;
import dev.exprbert.io.TokenizerJsonVocabulary;
import dev.exprbert.io.onnx.ImportedEncoder;
import dev.exprbert.io.onnx.OnnxBertImporter;
import dev.exprbert.io.onnx.OnnxTokenClassifierImporter;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Converts a BERT encoder exported to ONNX, plus its tokenizer.json, into the Hugging Face directory
 * that {@code BertModel.save_pretrained} and a fast tokenizer's {@code save_pretrained} would write:
 * config.json ({@code architectures: ["BertModel"]}), model.safetensors under BertModel's own keys
 * (no {@code bert.} prefix, as a base model saves them), tokenizer.json and tokenizer_config.json.
 *
 * <p>The directory appears atomically (see {@link DirectoryInstall}). Loading it as a token
 * classifier gives HF's default labels and a newly initialised classifier, reported as missing. An export
 * of a token classifier (a {@code /classifier} head, as torch.onnx and {@code export-onnx} write it) becomes
 * a {@code BertForTokenClassification} directory instead: {@code bert.}-prefixed encoder weights, the head,
 * and the labels of the file's {@code id2label} metadata.
 */
public final class OnnxToHuggingFace {
  private OnnxToHuggingFace() {}

  /**
   * Converts {@code onnx} and {@code tokenizerJson} into {@code outDir}.
   *
   * @param numHeads the attention head count, for graphs that do not show it (see {@link OnnxBertImporter})
   * @param overwrite replace a non-empty {@code outDir}; without it such a directory is refused
   * @return the configuration written to config.json
   * @throws IllegalArgumentException for a non-empty output without {@code overwrite}, or a tokenizer
   *     whose vocabulary does not match the embedding table
   * @throws dev.exprbert.io.onnx.OnnxImportException when the ONNX file is not a readable BERT encoder
   */
  public static BertConfig convert(Path onnx, Path tokenizerJson, Path outDir, OptionalInt numHeads, boolean overwrite)
      throws IOException {
    DirectoryInstall.checkTarget(outDir, overwrite);
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new IllegalArgumentException("tokenizer " + tokenizerJson + " does not exist; expected a Hugging Face tokenizer.json");
    }
    Path staging = DirectoryInstall.createStaging(outDir, "staging");
    try {
      BertConfig config = writeInto(staging, onnx, tokenizerJson, numHeads);
      if (overwrite) {
        DirectoryInstall.replace(staging, outDir);
      } else if (!DirectoryInstall.moveIntoPlace(staging, outDir)) {
        throw new IllegalArgumentException("output directory " + outDir + " was filled by someone else during the conversion;"
            + " expected it to stay empty (pass --overwrite to replace it)");
      }
      return config;
    } finally {
      DirectoryInstall.deleteRecursively(staging);
    }
  }

  /**
   * Writes the Hugging Face files into the existing directory {@code dir}, file by file (not atomic
   * as a whole: callers write into a staging directory).
   */
  static BertConfig writeInto(Path dir, Path onnx, Path tokenizerJson, OptionalInt numHeads) throws IOException {
    int tokenizerVocabulary = TokenizerJsonVocabulary.size(tokenizerJson); // a broken tokenizer fails before the slow import
    try (OnnxTokenClassifierImporter.Imported imported = OnnxTokenClassifierImporter.importModel(onnx, numHeads)) {
      ImportedEncoder encoder = imported.encoder();
      encoder.checkTokenizerVocabulary(tokenizerVocabulary, tokenizerJson.toString());
      BertConfig config = configOf(encoder, onnx);
      if (imported.hasHead()) { // a token classifier (torch.onnx or export-onnx): its head and labels come along
        config = config.toBuilder().labels(imported.labels())
            .architectures(List.of(BertFamily.BERT.tokenClassificationClass())).build();
        Safetensors.write(dir.resolve(ModelDirectory.SAFETENSORS), imported.tokenClassifierWeights(), Map.of("format", "pt"));
        config.write(dir.resolve(ModelDirectory.CONFIG));
      } else {
        config = config.toBuilder().architectures(List.of(BertFamily.BERT.baseModelClass())).build();
        Safetensors.write(dir.resolve(ModelDirectory.SAFETENSORS), encoder.weights(), Map.of("format", "pt"));
        config.writeBaseModel(dir.resolve(ModelDirectory.CONFIG));
      }
      TokenizerFiles.write(tokenizerJson, dir, encoder.maxPositions());
      return config;
    }
  }

  /** The BertConfig the graph implies; dropout and initializer_range keep BertConfig's defaults (ONNX has none). */
  static BertConfig configOf(ImportedEncoder encoder, Path onnx) {
    HiddenActivation act = HiddenActivation.fromHfName(encoder.hiddenAct());
    if (act == null) {
      throw new IllegalArgumentException("ONNX file " + onnx + " uses hidden_act " + encoder.hiddenAct()
          + ", which the model cannot run; expected one of " + HiddenActivation.supportedNames());
    }
    try {
      return buildConfig(encoder, act);
    } catch (dev.exprbert.model.ModelConfigException e) {
      throw new IllegalArgumentException("ONNX file " + onnx + " describes an encoder this project refuses: " + e.getMessage(), e);
    }
  }

  private static BertConfig buildConfig(ImportedEncoder encoder, HiddenActivation act) {
    return BertConfig.builder()
        .vocabSize(encoder.vocabSize())
        .hiddenSize(encoder.hiddenSize())
        .numHiddenLayers(encoder.numLayers())
        .numAttentionHeads(encoder.numHeads())
        .intermediateSize(encoder.intermediateSize())
        .hiddenAct(act)
        .maxPositionEmbeddings(encoder.maxPositions())
        .typeVocabSize(encoder.typeVocabSize())
        .layerNormEps(encoder.layerNormEps())
        .build();
  }
}
