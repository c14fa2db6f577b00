package dev.exprbert.model;

import dev.exprbert.model.bert.BertConfig;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.Safetensors;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * ../shared/fixtures/tiny-bert-parity: a random tiny BERT with the logits, loss, every gradient and
 * the parameters after AdamW steps that PyTorch computed for one batch (see its README). The numbers
 * are never edited by hand; if they stop matching, regenerate them with the fixture's script.
 */
final class TinyBertFixture implements AutoCloseable {
  static final Path DIR = Path.of("..", "shared", "fixtures", "tiny-bert-parity");

  final JsonObject batch;
  final LinkedHashMap<String, Tensor> weights;
  final LinkedHashMap<String, Tensor> expected;
  final Tensor inputIds;
  final Tensor attentionMask;
  final Tensor tokenTypeIds;
  final Tensor labels;

  TinyBertFixture() {
    Natives.init();
    if (!Files.isDirectory(DIR)) {
      throw new IllegalStateException("parity fixtures not found at " + DIR.toAbsolutePath()
          + ": tests expect the shared/ folder beside the project folder");
    }
    try {
      batch = JsonParser.parseString(Files.readString(DIR.resolve("batch.json"))).getAsJsonObject();
      weights = Safetensors.read(DIR.resolve("model.safetensors"));
      expected = Safetensors.read(DIR.resolve("expected.safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    inputIds = matrix("input_ids");
    attentionMask = matrix("attention_mask");
    tokenTypeIds = matrix("token_type_ids");
    labels = matrix("labels");
  }

  BertConfig config() {
    try {
      return BertConfig.read(DIR.resolve("config.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonObject optimizer() {
    return batch.getAsJsonObject("optimizer");
  }

  private Tensor matrix(String name) {
    JsonArray rows = batch.getAsJsonArray(name);
    int b = rows.size();
    int s = rows.get(0).getAsJsonArray().size();
    long[] values = new long[b * s];
    for (int i = 0; i < b; i++) {
      JsonArray row = rows.get(i).getAsJsonArray();
      for (int j = 0; j < s; j++) {
        values[i * s + j] = row.get(j).getAsLong();
      }
    }
    return Tensors.longs(values, b, s);
  }

  Tensor expected(String name) {
    Tensor t = expected.get(name);
    if (t == null) {
      throw new IllegalArgumentException("expected.safetensors has no '" + name + "'");
    }
    return t;
  }

  @Override
  public void close() {
    for (Map<String, Tensor> m : new Map[] {weights, expected}) {
      m.values().forEach(Tensor::close);
    }
    inputIds.close();
    attentionMask.close();
    tokenTypeIds.close();
    labels.close();
  }
}
