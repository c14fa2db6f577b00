package dev.exprbert.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A parity fixture of ../shared/fixtures ({@code tiny-bert-parity}, {@code <family>-parity}): a random tiny token
 * classifier with the logits, loss, every gradient and the parameters after AdamW steps that PyTorch (the family
 * fixtures: transformers' own modeling code) computed for one batch; see the fixtures' README.md and FAMILIES.md. The
 * numbers are never edited by hand; if they stop matching, regenerate them with the fixtures' scripts. Also holds the
 * batch in packed form (each row cut at its mask's length), for the packed backend.
 */
final class ParityFixture implements AutoCloseable {
  static final Path ROOT = Path.of("..", "shared", "fixtures");

  final Path dir;
  final JsonObject batch;
  final LinkedHashMap<String, Tensor> weights;
  final LinkedHashMap<String, Tensor> expected;
  final Tensor inputIds;
  final Tensor attentionMask;
  /** Null for a family whose batch has none (RoBERTa, XLM-R, DistilBERT). */
  final Tensor tokenTypeIds;
  final Tensor labels;
  final Packed packed;

  /** The batch packed: owns its tensors; {@code rowOf[t]} is packed token t's row of the padded [batch * seq]. */
  record Packed(Tensor ids, Tensor types, Tensor positions, Tensor cuSeqlens, Tensor labels, long maxSeqlen, int[] rowOf)
      implements AutoCloseable {
    PackedSequences sequences() {
      return new PackedSequences(ids, types, positions, cuSeqlens, maxSeqlen);
    }

    @Override
    public void close() {
      for (Tensor t : new Tensor[] {ids, types, positions, cuSeqlens, labels}) {
        t.close();
      }
    }
  }

  /** {@code tiny-bert-parity}. */
  static ParityFixture tinyBert() {
    return new ParityFixture("tiny-bert-parity");
  }

  ParityFixture(String name) {
    Natives.init();
    dir = ROOT.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("parity fixtures not found at " + dir.toAbsolutePath()
          + ": tests expect the shared/ folder beside the project folder");
    }
    try {
      batch = JsonParser.parseString(Files.readString(dir.resolve("batch.json"))).getAsJsonObject();
      weights = Safetensors.read(dir.resolve("model.safetensors"));
      expected = Safetensors.read(dir.resolve("expected.safetensors"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    inputIds = matrix("input_ids");
    attentionMask = matrix("attention_mask");
    tokenTypeIds = batch.has("token_type_ids") ? matrix("token_type_ids") : null;
    labels = matrix("labels");
    packed = pack();
  }

  EncoderConfig config() {
    try {
      return EncoderConfig.read(dir.resolve("config.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config of a BERT-keyed fixture (tiny-bert, roberta, xlm-roberta, electra). */
  BertConfig bertConfig() {
    return (BertConfig) config();
  }

  JsonObject optimizer() {
    return batch.getAsJsonObject("optimizer");
  }

  /** The fixture's AdamW schedule (Hugging Face's linear warm-up and decay). */
  LearningRateSchedule schedule() {
    JsonObject opt = optimizer();
    return new LearningRateSchedule(LearningRateSchedule.Kind.parse(opt.get("schedule").getAsString()),
        opt.get("lr").getAsDouble(), opt.get("warmup_steps").getAsLong(), opt.get("total_steps").getAsLong());
  }

  int steps() {
    return optimizer().get("steps").getAsInt();
  }

  /**
   * The sum of the learning rates the steps used: the bound for parameters whose steps Adam makes from rounding noise
   * ({@code compare.sum_lr}; computed from the schedule for tiny-bert-parity, which predates that field).
   */
  double sumLr() {
    JsonElement compare = batch.get("compare");
    if (compare != null && compare.isJsonObject() && compare.getAsJsonObject().has("sum_lr")) {
      return compare.getAsJsonObject().get("sum_lr").getAsDouble();
    }
    double sum = 0;
    for (int step = 0; step < steps(); step++) {
      sum += schedule().learningRate(step);
    }
    return sum;
  }

  /**
   * Parameters whose gradient is mathematically zero (the attention key biases: softmax ignores a bias added to every
   * key): {@code compare.true_zero_grad_params}, or BERT's key biases for tiny-bert-parity.
   */
  Set<String> trueZeroGradParams() {
    Set<String> out = new LinkedHashSet<>();
    JsonElement compare = batch.get("compare");
    if (compare != null && compare.isJsonObject() && compare.getAsJsonObject().has("true_zero_grad_params")) {
      compare.getAsJsonObject().getAsJsonArray("true_zero_grad_params").forEach(e -> out.add(e.getAsString()));
      return out;
    }
    for (String name : weights.keySet()) {
      if (name.contains("attention.self.key.bias")) {
        out.add(name);
      }
    }
    return out;
  }

  /** Names Hugging Face's Trainer leaves without weight decay ({@code optimizer.no_decay_params}), or null. */
  Set<String> noDecayParams() {
    JsonElement names = optimizer().get("no_decay_params");
    if (names == null || !names.isJsonArray()) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    names.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
    return out;
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

  private Packed pack() {
    long[] mask = Tensors.toLongArray(attentionMask);
    long[] ids = Tensors.toLongArray(inputIds);
    long[] types = tokenTypeIds == null ? new long[ids.length] : Tensors.toLongArray(tokenTypeIds);
    long[] labelIds = Tensors.toLongArray(labels);
    int rows = (int) inputIds.size(0);
    int seq = (int) inputIds.size(1);
    int total = 0;
    for (long m : mask) {
      total += (int) m;
    }
    long[] pIds = new long[total];
    long[] pTypes = new long[total];
    long[] pPositions = new long[total];
    long[] pLabels = new long[total];
    long[] cu = new long[rows + 1];
    int[] rowOf = new int[total];
    int at = 0;
    long longest = 0;
    for (int b = 0; b < rows; b++) {
      int length = 0;
      while (length < seq && mask[b * seq + length] == 1) {
        length++;
      }
      for (int i = 0; i < length; i++) {
        pIds[at] = ids[b * seq + i];
        pTypes[at] = types[b * seq + i];
        pLabels[at] = labelIds[b * seq + i];
        pPositions[at] = i;
        rowOf[at] = b * seq + i;
        at++;
      }
      cu[b + 1] = at;
      longest = Math.max(longest, length);
    }
    if (at != total) {
      throw new IllegalStateException(dir + ": the fixture mask must be right-padded");
    }
    try (Tensor cu64 = Tensors.longs(cu, rows + 1)) {
      return new Packed(Tensors.longs(pIds, total), Tensors.longs(pTypes, total), Tensors.longs(pPositions, total),
          cu64.to(torch.ScalarType.Int), Tensors.longs(pLabels, total), longest, rowOf);
    }
  }

  Tensor expected(String name) {
    Tensor t = expected.get(name);
    if (t == null) {
      throw new IllegalArgumentException(dir.resolve("expected.safetensors") + " has no '" + name + "'");
    }
    return t;
  }

  @Override
  public void close() {
    for (Map<String, Tensor> m : java.util.List.of(weights, expected)) {
      m.values().forEach(Tensor::close);
    }
    inputIds.close();
    attentionMask.close();
    if (tokenTypeIds != null) {
      tokenTypeIds.close();
    }
    labels.close();
    packed.close();
  }
}
