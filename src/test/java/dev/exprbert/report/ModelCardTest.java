package dev.exprbert.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {
  @TempDir Path tmp;

  private static LinkedHashMap<String, Object> referenceHyperparameters() {
    LinkedHashMap<String, Object> h = new LinkedHashMap<>();
    h.put("learning_rate", 2e-5);
    h.put("train_batch_size", 8);
    h.put("eval_batch_size", 8);
    h.put("seed", 42);
    h.put("optimizer", "Adam with betas=(0.9,0.999) and epsilon=1e-08");
    h.put("lr_scheduler_type", "linear");
    h.put("num_epochs", 5);
    return h;
  }

  private static ModelCardData example() {
    LinkedHashMap<String, Double> finalEval = new LinkedHashMap<>();
    finalEval.put("loss", 0.58971234);
    finalEval.put("precision", 0.5835);
    finalEval.put("recall", 0.56881);
    finalEval.put("f1", 0.03125);
    finalEval.put("accuracy", 0.5);
    LinkedHashMap<String, String> versions = new LinkedHashMap<>();
    versions.put("ExprBERT", "0.1.0");
    versions.put("LibTorch", "2.10.0");
    return new ModelCardData("bert-finetuned-expression_epoch5", "bert-base-multilingual-cased",
        "semeval22-opener_en/expression", List.of("O", "B-EXP", "I-EXP"),
        new ModelCardData.Architecture("BERT", "BertForTokenClassification"), referenceHyperparameters(),
        List.of(new EpochRow(null, 1.0, 218, 0.60301234, 0.4783, 0.5, 0.47831, 0.8123456),
            new EpochRow(0.43219876, 2.0, 436, 0.5897, 0.5835, 0.5688, 0.576, 0.8344)),
        finalEval, versions);
  }

  /** Derived by hand from transformers 4.24's TrainingSummary.to_model_card and make_markdown_table. */
  private static final String EXPECTED = """
      ---
      tags:
      - generated_from_trainer
      metrics:
      - precision
      - recall
      - f1
      - accuracy
      model-index:
      - name: bert-finetuned-expression_epoch5
        results: []
      ---

      <!-- This model card has been generated automatically according to the information the Trainer had access to. You
      should probably proofread and complete it, then remove this comment. -->

      # bert-finetuned-expression_epoch5

      This model is a fine-tuned version of [bert-base-multilingual-cased](https://huggingface.co/bert-base-multilingual-cased) on the semeval22-opener_en/expression dataset.
      It achieves the following results on the evaluation set:
      - Loss: 0.5897
      - Precision: 0.5835
      - Recall: 0.5688
      - F1: 0.0312
      - Accuracy: 0.5

      ## Model description

      A BERT token classifier (BertForTokenClassification) with 3 labels: `O`, `B-EXP`, `I-EXP`.

      ## Intended uses & limitations

      More information needed

      ## Training and evaluation data

      More information needed

      ## Training procedure

      ### Training hyperparameters

      The following hyperparameters were used during training:
      - learning_rate: 2e-05
      - train_batch_size: 8
      - eval_batch_size: 8
      - seed: 42
      - optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
      - lr_scheduler_type: linear
      - num_epochs: 5

      ### Training results

      | Training Loss | Epoch | Step | Validation Loss | Precision | Recall | F1     | Accuracy |
      |:-------------:|:-----:|:----:|:---------------:|:---------:|:------:|:------:|:--------:|
      | No log        | 1.0   | 218  | 0.6030          | 0.4783    | 0.5    | 0.4783 | 0.8123   |
      | 0.4322        | 2.0   | 436  | 0.5897          | 0.5835    | 0.5688 | 0.576  | 0.8344   |


      ### Framework versions

      - ExprBERT 0.1.0
      - LibTorch 2.10.0
      """;

  @Test
  void writesTheHuggingFaceTrainerCard() throws Exception {
    ModelCard.write(tmp, example());
    assertEquals(EXPECTED, Files.readString(tmp.resolve("README.md")));
  }

  @Test
  void aModelTrainedFromScratchOnAnUnknownDatasetWithoutEvaluationSaysSo() {
    ModelCardData d = example();
    String card = ModelCard.render(new ModelCardData("my run: v2", null, null, List.of(), null, null, List.of(),
        new LinkedHashMap<>(), d.frameworkVersions()));
    assertTrue(card.startsWith("---\ntags:\n- generated_from_trainer\nmodel-index:\n- name: 'my run: v2'\n"
        + "  results: []\n---\n"), card);
    assertTrue(card.contains("\nThis model was trained from scratch on an unknown dataset.\n\n## Model description\n\n"
        + "More information needed\n"), card);
    assertTrue(card.contains("### Training hyperparameters\n\nMore information needed\n\n### Framework versions"), card);
    assertTrue(!card.contains("### Training results"), card);
  }

  @Test
  void badDataIsRejectedWithTheFieldName() {
    ModelCardData d = example();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.render(
        new ModelCardData(" ", d.baseModel(), null, d.labels(), null, null, null, null, null)));
    assertTrue(e.getMessage().contains("modelName"), e.getMessage());
    NoSuchFileException missing = assertThrows(NoSuchFileException.class,
        () -> ModelCard.write(tmp.resolve("absent"), d));
    assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
  }

  @Test
  void floatsPrintAsPythonReprAndMaybeRound() {
    assertEquals("2e-05", PythonRepr.str(2e-5));
    assertEquals("1e-08", PythonRepr.str(1e-8));
    assertEquals("1.5e-07", PythonRepr.str(1.5e-7));
    assertEquals("0.0001", PythonRepr.str(1e-4));
    assertEquals("0.000123", PythonRepr.str(0.000123));
    assertEquals("5.0", PythonRepr.str(5.0));
    assertEquals("100.0", PythonRepr.str(100.0));
    assertEquals("-2.5", PythonRepr.str(-2.5));
    assertEquals("1e+16", PythonRepr.str(1e16));
    assertEquals("1234567890123456.0", PythonRepr.str(1234567890123456.0));
    assertEquals("0.30000000000000004", PythonRepr.str(0.1 + 0.2));
    assertEquals("5", PythonRepr.str(5));
    assertEquals("True", PythonRepr.str(true));
    assertEquals("None", PythonRepr.str(null));
    assertEquals("0.0312", PythonRepr.maybeRound(0.03125), "half-to-even on the exact binary value");
    assertEquals("0.6875", PythonRepr.maybeRound(0.6875), "four decimals stay as str()");
    assertEquals("0.0000", PythonRepr.maybeRound(1.5e-7), "'1.5e-07' has 5 characters after the dot");
    assertEquals("-1e-05", PythonRepr.maybeRound(-1e-5), "no dot, so str() as is");
    assertEquals("-0.0000", PythonRepr.maybeRound(-1.5e-7));
    assertEquals("nan", PythonRepr.maybeRound(Double.NaN));
  }
}
