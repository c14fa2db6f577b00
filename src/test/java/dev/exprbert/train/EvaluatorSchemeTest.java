package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.metrics.Average;
import dev.exprbert.metrics.Mode;
import dev.exprbert.metrics.Scheme;
import dev.exprbert.metrics.SeqevalAccumulator;
import dev.exprbert.metrics.ZeroDivision;
import dev.exprbert.model.EncoderForTokenClassification;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Evaluator scores IOBES and BILOU models in seqeval's strict mode under their scheme and BIO models in the
 * default mode, as run_ner does. A model forced to predict E-X everywhere shows the difference: the default mode
 * reads each lone E-X as an entity, strict IOBES reads none.
 */
class EvaluatorSchemeTest {
  @TempDir
  Path tmp;

  private static final List<LabeledSentence> GOLD = List.of(
      new LabeledSentence(List.of("we", "met", "on", "monday"), List.of("O", "O", "O", "S-X"), "gold", 1),
      new LabeledSentence(List.of("very", "nice", "staff"), List.of("S-X", "O", "S-X"), "gold", 6));

  @Test
  void iobesModelsAreScoredStrictlyAndBioModelsByDefault() throws Exception {
    List<String> iobes = List.of("O", "B-X", "I-X", "E-X", "S-X");
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, iobes)) {
      try (NoGradGuard noGrad = new NoGradGuard()) {
        Tensor bias = model.weights().get("classifier.bias");
        bias.zero_();
        try (Tensor endBias = bias.select(0, 3)) {
          endBias.fill_(new Scalar(100.0)); // every token predicts E-X
        }
      }
      Evaluator evaluator = new Evaluator(model, tokenizer, GOLD, false, Window.resolve(null, null, 128, tokenizer), 8,
          BatchLayout.forInference(model.attention().implementation()));
      assertEquals(Mode.strict(Scheme.IOBES), evaluator.mode());
      Evaluation evaluation = evaluator.run("eval", false);
      assertEquals(List.of("E-X", "E-X", "E-X", "E-X"), evaluation.predictedTags().get(0));
      SeqevalAccumulator byDefault = new SeqevalAccumulator(Mode.DEFAULT);
      for (int s = 0; s < GOLD.size(); s++) {
        byDefault.add(GOLD.get(s).tags(), evaluation.predictedTags().get(s));
      }
      double defaultF1 = byDefault.f1(Average.MICRO, ZeroDivision.ZERO);
      assertTrue(defaultF1 > 0.5, "the default mode reads each E-X as an entity: f1 " + defaultF1);
      assertEquals(0.0, evaluation.metric("eval_f1"), "strict IOBES: a lone E-X is no entity");
      assertEquals(0.0, evaluation.metric("eval_precision"));
    }
    List<String> bio = List.of("O", "B-X", "I-X");
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, bio)) {
      Evaluator evaluator = new Evaluator(model, tokenizer, List.of(new LabeledSentence(List.of("we"), List.of("B-X"),
          "gold", 1)), false, Window.resolve(null, null, 128, tokenizer), 8,
          BatchLayout.forInference(model.attention().implementation()));
      assertEquals(Mode.DEFAULT, evaluator.mode(), "BIO is scored in the default mode, as run_ner scores it");
    }
  }
}
