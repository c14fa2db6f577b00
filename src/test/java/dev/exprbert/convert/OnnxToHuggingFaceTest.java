package dev.exprbert.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.onnx.OnnxImportException;
import dev.exprbert.model.bert.BertConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output-directory rules and the tokenizer config, on the importer tests' tiny graph. */
class OnnxToHuggingFaceTest {
  @TempDir Path tmp;

  @Test
  void convertsIntoANewDirectoryAndLeavesNoStagingBehind() throws Exception {
    Path out = tmp.resolve("nested/out");
    BertConfig c = OnnxToHuggingFace.convert(TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, true), out, OptionalInt.empty(), false);
    assertEquals(List.of(11, 8, 2, 2, 12, 7), List.of(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
        c.intermediateSize(), c.maxPositionEmbeddings()));
    assertEquals(List.of("out"), names(tmp.resolve("nested")));
    assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"), names(out));
    JsonObject tc = JsonParser.parseString(Files.readString(out.resolve("tokenizer_config.json"))).getAsJsonObject();
    assertEquals(7, tc.get("model_max_length").getAsInt(), "model_max_length is the position table's size");
  }

  @Test
  void anEmptyExistingDirectoryIsUsed() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("empty"));
    OnnxToHuggingFace.convert(TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, true), out, OptionalInt.empty(), false);
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
  }

  @Test
  void aNonEmptyDirectoryIsRefusedUntouchedWithoutOverwrite() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(out.resolve("notes.txt"), "mine");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxToHuggingFace.convert(
        TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, true), out, OptionalInt.empty(), false));
    assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("not empty"), e.getMessage());
    assertEquals(List.of("notes.txt"), names(out));
  }

  @Test
  void overwriteReplacesTheWholeDirectory() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(out.resolve("notes.txt"), "stale");
    OnnxToHuggingFace.convert(TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, true), out, OptionalInt.empty(), true);
    assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"), names(out));
    assertEquals(List.of("in", "taken", "tokenizer.json"), names(tmp), "the replaced directory is gone");
  }

  @Test
  void aFailedConversionLeavesTheTargetAsItWas() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("taken"));
    Files.writeString(out.resolve("notes.txt"), "keep me");
    Path notOnnx = Files.writeString(tmp.resolve("config.onnx"), "{\"model_type\": \"bert\"}");
    assertThrows(OnnxImportException.class,
        () -> OnnxToHuggingFace.convert(notOnnx, tokenizer(11, true), out, OptionalInt.empty(), true));
    assertEquals(List.of("notes.txt"), names(out));
    assertEquals(List.of("config.onnx", "taken", "tokenizer.json"), names(tmp), "no staging directory left behind");
  }

  @Test
  void aFileAsOutputIsRefused() throws Exception {
    Path file = Files.writeString(tmp.resolve("out"), "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxToHuggingFace.convert(
        TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, true), file, OptionalInt.empty(), true));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
  }

  @Test
  void tokenizerConfigFollowsACasedNormalizer() throws Exception {
    Path out = tmp.resolve("cased");
    OnnxToHuggingFace.convert(TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(11, false), out, OptionalInt.empty(), false);
    JsonObject tc = JsonParser.parseString(Files.readString(out.resolve("tokenizer_config.json"))).getAsJsonObject();
    assertFalse(tc.get("do_lower_case").getAsBoolean(), "a cased tokenizer.json must not be lower-cased by transformers' defaults");
    assertFalse(tc.get("strip_accents").getAsBoolean());
  }

  @Test
  void aTokenizerOfAnotherSizeIsRefused() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxToHuggingFace.convert(
        TinyOnnxFiles.onnx(tmp.resolve("in")), tokenizer(30, true), tmp.resolve("out"), OptionalInt.empty(), false));
    assertTrue(e.getMessage().contains("30 token ids") && e.getMessage().contains("11 rows"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("out")));
  }

  private Path tokenizer(int size, boolean lowercase) throws Exception {
    return TinyOnnxFiles.tokenizerJson(tmp.resolve("tokenizer.json"), size, lowercase);
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
