package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Placement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelConfigLimitsTest {
  private static final String SIZES = "\"vocab_size\": 100, \"hidden_size\": 32, \"num_hidden_layers\": 2,"
      + " \"num_attention_heads\": 4, \"intermediate_size\": 64";

  @TempDir Path dir;

  /** The sizes from the hostile config.json files: each is one error naming the field, before any allocation. */
  @ParameterizedTest
  @CsvSource({
      "hidden_size, 1000000000, 65536",
      "num_hidden_layers, 1000000, 1024",
      "max_position_embeddings, 1000000000, 1048576",
      "vocab_size, 2000000000, 10000000",
      "type_vocab_size, 100000000, 10000000",
      "intermediate_size, 2000000000, 1048576",
      "num_labels, 1000000000, 100000"})
  void sizesAboveTheHardCapsAreOneError(String field, long value, long cap) throws IOException {
    String body = "{" + SIZES.replaceAll("\"" + field + "\": \\d+", "\"" + field + "\": " + value)
        + (SIZES.contains(field) ? "" : ", \"" + field + "\": " + value) + "}";
    // keep heads dividing hidden_size so that only the cap can fail
    body = body.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 1");
    Path file = Files.writeString(dir.resolve("config.json"), body);
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> BertConfig.read(file));
    assertTrue(e.getMessage().startsWith(file + ": " + field + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "limit of %,d", cap)), e.getMessage());
  }

  @Test
  void parameterCountMatchesEveryTensorOfTheModel() throws IOException {
    BertConfig c = BertConfig.read(Path.of("../shared/fixtures/tiny-bert-parity/config.json"));
    long listed = ParameterSpec.of(c).stream().mapToLong(ParameterSpec::numel).sum();
    assertEquals(21_605, listed);
    assertEquals(listed, ModelConfigLimits.parameterCount(c));
    BertConfig base = BertConfig.builder().build(); // bert-base-uncased with two labels: HF counts 108,893,186
    assertEquals(108_893_186L, ModelConfigLimits.parameterCount(base));
  }

  @Test
  void theLargestConfigWithinTheCapsCountsWithoutOverflow() {
    BertConfig max = BertConfig.builder().vocabSize(ModelConfigLimits.MAX_VOCAB).hiddenSize(ModelConfigLimits.MAX_HIDDEN_SIZE)
        .numAttentionHeads(1).numHiddenLayers(ModelConfigLimits.MAX_LAYERS)
        .intermediateSize(ModelConfigLimits.MAX_INTERMEDIATE_SIZE).maxPositionEmbeddings(ModelConfigLimits.MAX_POSITIONS)
        .typeVocabSize(ModelConfigLimits.MAX_VOCAB).build();
    long count = ModelConfigLimits.parameterCount(max);
    assertTrue(count > 0 && count < Long.MAX_VALUE / 4, "exact and positive: " + count);
    java.math.BigInteger h = java.math.BigInteger.valueOf(65_536);
    java.math.BigInteger i = java.math.BigInteger.valueOf(1_048_576);
    java.math.BigInteger layer = h.multiply(h).multiply(java.math.BigInteger.valueOf(4)).add(h.multiply(i).multiply(
        java.math.BigInteger.TWO)).add(h.multiply(java.math.BigInteger.valueOf(9))).add(i); // 4 biases + 2 LayerNorms + 1 bias + 2 LayerNorm
    java.math.BigInteger expected = java.math.BigInteger.valueOf(10_000_000L * 2 + 1_048_576).multiply(h)
        .add(h.multiply(java.math.BigInteger.TWO)).add(layer.multiply(java.math.BigInteger.valueOf(1024)))
        .add(h.multiply(java.math.BigInteger.TWO)).add(java.math.BigInteger.TWO);
    assertEquals(expected.longValueExact(), count);
  }

  @Test
  void aModelLargerThanTheMachineIsRefusedBeforeAllocation() {
    // hidden 65536 with one head passes the caps; its 12 layers need about 2.3 TiB of float32 weights
    BertConfig huge = BertConfig.builder().hiddenSize(65_536).numAttentionHeads(1).intermediateSize(4 * 65_536).build();
    ModelConfigException e = assertThrows(ModelConfigException.class,
        () -> CheckpointLoader.initialize(huge, Placement.CPU_FLOAT32, 1));
    assertTrue(e.getMessage().contains("(new model): a BertForTokenClassification of 620,519,751,682 parameters"), e.getMessage());
    assertTrue(e.getMessage().contains("for training, but this machine gives the process"), e.getMessage());
  }

  @Test
  void theEstimateGrowsWithPurposeAndComparesWithTheGivenLimit() {
    BertConfig base = BertConfig.builder().build();
    long weights = ModelConfigLimits.weightBytes(base);
    long inference = ModelConfigLimits.estimatedBytes(base, ModelConfigLimits.Purpose.INFERENCE);
    long training = ModelConfigLimits.estimatedBytes(base, ModelConfigLimits.Purpose.TRAINING);
    assertEquals(4 * 108_893_186L, weights);
    assertTrue(inference > weights && training > 4 * weights, inference + " " + training);
    assertEquals(weights, ModelConfigLimits.estimatedBytes(base, ModelConfigLimits.Purpose.HOST_STAGING));
    ModelConfigLimits.requireFitsInMemory(base, ModelConfigLimits.Purpose.INFERENCE, "m", inference);
    ModelConfigException e = assertThrows(ModelConfigException.class,
        () -> ModelConfigLimits.requireFitsInMemory(base, ModelConfigLimits.Purpose.INFERENCE, "m/config.json", inference - 1));
    assertTrue(e.getMessage().startsWith("m/config.json: a BertForTokenClassification of 108,893,186 parameters"), e.getMessage());
    assertTrue(ModelConfigLimits.availableMemory().isPresent(), "Linux exposes MemTotal");
  }

  @Test
  void theMemoryLimitPropertyOverridesTheDetection() {
    String before = System.getProperty(ModelConfigLimits.MEMORY_LIMIT_PROPERTY);
    System.setProperty(ModelConfigLimits.MEMORY_LIMIT_PROPERTY, "1000");
    try {
      assertEquals(1000, ModelConfigLimits.availableMemory().getAsLong());
      BertConfig tiny = BertConfig.builder().vocabSize(100).hiddenSize(32).numAttentionHeads(4).numHiddenLayers(2)
          .intermediateSize(64).maxPositionEmbeddings(32).build();
      ModelConfigException e = assertThrows(ModelConfigException.class,
          () -> CheckpointLoader.initialize(tiny, Placement.CPU_FLOAT32, 1));
      assertTrue(e.getMessage().contains("1000 bytes"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(ModelConfigLimits.MEMORY_LIMIT_PROPERTY);
      } else {
        System.setProperty(ModelConfigLimits.MEMORY_LIMIT_PROPERTY, before);
      }
    }
  }

  /** transformers keeps id2label and warns; we do the same, naming the file and both counts. */
  @Test
  void numLabelsDisagreeingWithId2labelIsOverruledLoudly() throws IOException {
    Path file = Files.writeString(dir.resolve("config.json"),
        "{" + SIZES + ", \"num_labels\": 9, \"id2label\": {\"0\": \"O\", \"1\": \"B-X\"}}");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    BertConfig c;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      c = BertConfig.read(file);
    } finally {
      System.setErr(err);
    }
    assertEquals(java.util.List.of("O", "B-X"), c.labels());
    String log = captured.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("WARN") && log.contains(file + ": num_labels 9 disagrees with id2label, which has 2 labels"),
        log);
    assertTrue(log.contains("overwritten to 2"), log);
  }

  @Test
  void aConfigThatIsNotUtf8NamesTheFile() throws IOException {
    Path file = Files.write(dir.resolve("config.json"), new byte[] {'{', (byte) 0xff, '}'});
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> BertConfig.read(file));
    assertTrue(e.getMessage().startsWith(file + ": not valid UTF-8"), e.getMessage());
  }
}
