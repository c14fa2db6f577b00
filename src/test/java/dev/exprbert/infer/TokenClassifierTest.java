package dev.exprbert.infer;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.PaddedBatch;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.TinyModelDirectory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenClassifierTest {
  @TempDir Path tmp;

  private static final List<List<String>> SENTENCES = List.of(
      List.of("We", "met", "on", "Monday", "."),
      List.of("The", "hotel", "was", "very", "nice", "and", "the", "staff", "friendly", "."),
      List.of("I", "loved", "it"));

  @Test
  void savesAndReloadsToIdenticalLogits() throws Exception {
    Path original = TinyModelDirectory.create(tmp.resolve("original"));
    Path saved = tmp.resolve("saved");
    try (TokenClassifier a = TokenClassifier.load(original, Placement.CPU_FLOAT32, "eager")) {
      a.save(saved);
      assertTrue(Files.isRegularFile(saved.resolve("config.json")));
      assertTrue(Files.isRegularFile(saved.resolve("model.safetensors")));
      assertTrue(Files.isRegularFile(saved.resolve("vocab.txt")));
      try (TokenClassifier b = TokenClassifier.load(saved, Placement.CPU_FLOAT32, "sdpa")) {
        assertEquals(a.config(), b.config());
        SubwordAligner aligner = new SubwordAligner(a.tokenizer(), null, false);
        List<AlignedSentence> aligned = SENTENCES.stream().map(aligner::align).toList();
        try (PaddedBatch batch = new PaddedBatch(aligned, a.tokenizer().padTokenId());
            Tensor la = a.model().logits(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds());
            Tensor lb = b.model().logits(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds())) {
          // eager against sdpa attention: the same weights, two summation orders (a few ulps of logits near 3;
          // 1.2e-6 apart with MKL's products)
          assertClose("logits after save/load", lb, la, 1e-5);
        }
        assertEquals(a.predictTags(SENTENCES), b.predictTags(SENTENCES));
      }
    }
  }

  @Test
  void predictsOneKnownTagPerWordAndIgnoresBatchSize() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    try (TokenClassifier tagger = TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager")) {
      List<List<String>> one = tagger.predictTags(SENTENCES, 1);
      List<List<String>> all = tagger.predictTags(SENTENCES, 32);
      assertEquals(one, all, "padding in a bigger batch must not change predictions");
      for (int i = 0; i < SENTENCES.size(); i++) {
        assertEquals(SENTENCES.get(i).size(), all.get(i).size());
        assertTrue(tagger.config().labels().containsAll(all.get(i)));
      }
    }
  }

  @Test
  void fusedAttentionRunsPackedBatchesWithTheTagsAndProbabilitiesOfPaddedEager() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    try (TokenClassifier eager = TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager");
        TokenClassifier fused = TokenClassifier.load(dir, Placement.CPU_FLOAT32, "fused")) {
      assertTrue(fused.model().attention().implementation().supportsPacked(), "fused inference goes through packed batches");
      assertEquals(eager.predictTags(SENTENCES), fused.predictTags(SENTENCES));
      SubwordAligner aligner = new SubwordAligner(eager.tokenizer(), null, false);
      List<AlignedSentence> aligned = SENTENCES.stream().map(aligner::align).toList();
      List<float[][]> expected = eager.tokenProbabilities(aligned);
      List<float[][]> actual = fused.tokenProbabilities(aligned);
      for (int b = 0; b < aligned.size(); b++) {
        assertEquals(aligned.get(b).length(), actual.get(b).length);
        for (int t = 0; t < aligned.get(b).length(); t++) {
          assertClose("probabilities of sentence " + b + " token " + t, actual.get(b)[t], expected.get(b)[t], 1e-6);
        }
      }
    }
  }

  @Test
  void aWordWithoutSubTokensGetsTheDefaultLabelAndKeepsOthersInPlace() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    try (TokenClassifier tagger = TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager")) {
      List<String> plain = List.of("we", "met", "on", "monday");
      List<String> withEmpty = List.of("we", "\uFE0F", "met", "on", "monday");
      List<String> a = tagger.predictTags(List.of(plain)).get(0);
      List<String> b = tagger.predictTags(List.of(withEmpty)).get(0);
      assertEquals("O", b.get(1));
      assertEquals(a, List.of(b.get(0), b.get(2), b.get(3), b.get(4)));
    }
  }

  /** Tagging with a randomly initialised head would print confident nonsense: strict loading refuses it. */
  @Test
  void aCheckpointWithoutTheClassifierIsRefusedForTagging() throws Exception {
    Path dir = TinyModelDirectory.withRenamedWeights(tmp.resolve("base"),
        k -> k.startsWith("classifier.") ? null : k.substring("bert.".length()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager"));
    assertTrue(e.getMessage().startsWith(dir.resolve("model.safetensors") + " has no tensor 'classifier.weight'"
        + " (expected by config.json's 5 labels)"), e.getMessage());
  }

  @Test
  void anEmptyOrRenamedCheckpointIsRefusedNamingTheTensor() throws Exception {
    Path empty = TinyModelDirectory.withRenamedWeights(tmp.resolve("empty"), k -> null);
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(empty, Placement.CPU_FLOAT32, "eager"));
    assertTrue(none.getMessage().contains("model.safetensors holds no tensors"), none.getMessage());

    Path renamed = TinyModelDirectory.withRenamedWeights(tmp.resolve("renamed"),
        k -> k.equals("bert.encoder.layer.1.output.dense.bias") ? "bert.encoder.layer.1.output.dense.bais" : k);
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(renamed, Placement.CPU_FLOAT32, "eager"));
    assertTrue(one.getMessage().contains("has no tensor 'bert.encoder.layer.1.output.dense.bias' (expected by config.json's"
        + " num_hidden_layers 2); it has tensors the model does not use: bert.encoder.layer.1.output.dense.bais"),
        one.getMessage());

    Path extra = TinyModelDirectory.withRenamedWeights(tmp.resolve("extra"),
        k -> k.replace("bert.encoder.layer.1.", "bert.encoder.layer.2."));
    IllegalArgumentException more = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(extra, Placement.CPU_FLOAT32, "eager"));
    assertTrue(more.getMessage().contains("has no tensor 'bert.encoder.layer.1."), more.getMessage());
  }

  @Test
  void aTokenizerWithMoreIdsThanTheVocabularyIsRefusedBeforeTagging() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    List<String> vocab = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("vocab.txt")));
    vocab.add("extra");
    Files.write(dir.resolve("vocab.txt"), vocab);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager"));
    assertTrue(e.getMessage().contains("produces 101 token ids (0..100) but the model's vocab_size is 100"), e.getMessage());
  }

  @Test
  void missingModelDirectoryFilesAreNamed() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> TokenClassifier.load(empty, Placement.CPU_FLOAT32, "eager"));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    Path noWeights = TinyModelDirectory.create(tmp.resolve("noweights"));
    Files.delete(noWeights.resolve("model.safetensors"));
    NoSuchFileException w = assertThrows(NoSuchFileException.class,
        () -> TokenClassifier.load(noWeights, Placement.CPU_FLOAT32, "eager"));
    assertTrue(w.getMessage().contains("model.safetensors"), w.getMessage());
  }

  @Test
  void withNoAttentionAskedForTheFamilysFastestIsUsedAndPacksItsBatches() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    try (TokenClassifier auto = TokenClassifier.load(dir, Placement.CPU_FLOAT32, (String) null)) {
      assertEquals(dev.exprbert.model.attention.AttentionImplementation.FUSED, auto.model().attention().implementation());
      assertEquals(dev.exprbert.data.BatchLayout.PACKED,
          dev.exprbert.data.BatchLayout.forInference(auto.model().attention().implementation()));
    }
  }

  @Test
  void unknownAttentionBackendIsRejectedWithTheChoices() throws Exception {
    Path dir = TinyModelDirectory.create(tmp.resolve("m"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(dir, Placement.CPU_FLOAT32, "flash"));
    assertTrue(e.getMessage().contains("eager") && e.getMessage().contains("sdpa"), e.getMessage());
  }
}
