package dev.exprbert.testing;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.bert.BertConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A complete Hugging Face model directory for tests: the tiny parity-fixture BERT (vocabulary 100,
 * labels O/B-EXPR/I-EXPR/B-TIME/I-TIME) plus a 100-entry vocab.txt-only tokenizer built here.
 */
public final class TinyModelDirectory {
  public static final Path FIXTURE = Path.of("..", "shared", "fixtures", "tiny-bert-parity");
  public static final List<String> WORDS = List.of("we", "met", "on", "monday", "the", "hotel", "was", "very",
      "nice", "and", "staff", "friendly", "last", "night", "room", "clean", "i", "loved", "it", ".");

  private TinyModelDirectory() {}

  public static Path create(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.copy(FIXTURE.resolve("config.json"), dir.resolve(ModelDirectory.CONFIG));
    Files.copy(FIXTURE.resolve("model.safetensors"), dir.resolve(ModelDirectory.SAFETENSORS));
    List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
    vocab.addAll(WORDS);
    for (int i = 0; vocab.size() < 100; i++) {
      vocab.add("##x" + i);
    }
    Files.write(dir.resolve("vocab.txt"), vocab);
    return dir;
  }

  public static BertConfig config() throws IOException {
    return BertConfig.read(FIXTURE.resolve("config.json"));
  }

  /** Writes the fixture's weights with {@code rename} applied to every key (null drops the key). */
  public static Path withRenamedWeights(Path dir, java.util.function.UnaryOperator<String> rename) throws IOException {
    create(dir);
    Map<String, Tensor> weights = Safetensors.read(FIXTURE.resolve("model.safetensors"));
    java.util.LinkedHashMap<String, Tensor> renamed = new java.util.LinkedHashMap<>();
    weights.forEach((k, v) -> {
      String n = rename.apply(k);
      if (n != null) {
        renamed.put(n, v);
      }
    });
    Safetensors.write(dir.resolve(ModelDirectory.SAFETENSORS), renamed, Map.of("format", "pt"));
    weights.values().forEach(Tensor::close);
    return dir;
  }
}
