package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.attention.AttentionBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * padding_free in the Trainer's evaluation: packed batches give the padded evaluation's predictions and loss
 * (up to float rounding) on real OpeNER sentences; a Trainer asked for padding_free with a model that does not
 * run fused attention is refused naming the setting.
 */
class PackedEvaluationTest {
  @TempDir
  Path tmp;

  @Test
  void packedEvaluationEqualsPadded() throws Exception {
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 24);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 2, TrainerFixtures.labelsOf(eval))) {
      model.setAttention(AttentionBackend.named("fused"));
      Evaluation padded = new Evaluator(model, tokenizer, eval, false, new Window(128, 32), 5, BatchLayout.PADDED).run("eval", true);
      Evaluation packed = new Evaluator(model, tokenizer, eval, false, new Window(128, 32), 5, BatchLayout.PACKED).run("eval", true);
      assertEquals(padded.predictedTags(), packed.predictedTags());
      for (Map.Entry<String, Double> e : padded.metrics().entrySet()) {
        if (e.getKey().endsWith("_runtime") || e.getKey().endsWith("_per_second")) {
          continue;
        }
        double tolerance = e.getKey().equals("eval_loss") ? 1e-5 * Math.abs(e.getValue()) : 0;
        assertEquals(e.getValue(), packed.metrics().get(e.getKey()), tolerance, e.getKey());
      }
    }
  }

  @Test
  void paddingFreeTrainerNeedsAFusedModel() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 8);
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("out")).set("attn_implementation", "fused")
        .set("padding_free", true).build();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, TrainerFixtures.labelsOf(train))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Trainer(config, model, tokenizer, train, null).close());
      assertTrue(e.getMessage().contains("padding_free") && e.getMessage().contains("'sdpa'"), e.getMessage());
    }
  }
}
