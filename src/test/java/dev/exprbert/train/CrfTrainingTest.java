package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TaggerOptions;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.NamedParameter;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.OptimizerKind;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRF's training step: padded and packed batches give the same loss and update, gradient accumulation equals one
 * big batch, nothing is read from the device, the CRF's scores are trained (without weight decay, in the head's
 * backward group); and long sentences cut into windows train with the CRF's start and end left out at the cuts.
 */
class CrfTrainingTest {
  private static final double LR = 1e-3;

  @TempDir
  Path tmp;

  /** The dropout-free tiny BERT with a CRF over {@code labels}. */
  static EncoderForTokenClassification crfModel(List<String> labels, String attention, boolean everySubToken) {
    BertConfig plain = TrainerFixtures.tinyConfig(32, 2, labels).toBuilder().hiddenDropoutProb(0)
        .attentionProbsDropoutProb(0).build();
    EncoderConfig config = new CrfSettings(true, everySubToken).applyTo(plain);
    return new EncoderForTokenClassification(config, CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42),
        Placement.CPU_FLOAT32, AttentionBackend.named(attention));
  }

  private static List<Feature> features(ModelTokenizer tokenizer, List<LabeledSentence> sentences, List<String> labels,
      int maxSeqLength, int stride) {
    return new Featurizer(tokenizer, LabelMap.ofLabels(labels), false, maxSeqLength, stride).featurize(sentences, true)
        .features();
  }

  /** One update over {@code group} on a fresh model; returns the loss and every parameter afterwards. */
  private static Map<String, float[]> step(List<String> labels, String attention, boolean packed, long padId,
      List<List<Feature>> group, double[] loss) {
    return step(labels, attention, packed, padId, group, loss, Placement.Precision.FLOAT32);
  }

  private static Map<String, float[]> step(List<String> labels, String attention, boolean packed, long padId,
      List<List<Feature>> group, double[] loss, Placement.Precision precision) {
    try (EncoderForTokenClassification model = crfModel(labels, attention, false);
        MixedPrecision mixed = MixedPrecision.of(Placement.CPU_FLOAT32, precision, false, precision.name());
        Optimizer optimizer = OptimizerKind.FUSED_ADAMW.create(ParameterGroups.huggingFace(model.weights().parameters(),
            0.01), new AdamWSettings(0.9, 0.999, 1e-8))) {
      model.train(true);
      TrainingStep step = new TrainingStep(model, optimizer, BatchLayout.forTraining(model.attention().implementation(),
          packed), padId, 1.0, mixed);
      long reads = HostReads.count();
      try (TrainingStep.Output out = step.run(group, LR)) {
        assertEquals(reads, HostReads.count(), "the CRF's step reads nothing from the device");
        loss[0] = out.loss().item_double();
      }
      Map<String, float[]> after = new LinkedHashMap<>();
      for (NamedParameter p : model.weights().parameters()) {
        after.put(p.name(), Tensors.toFloatArray(p.tensor()));
      }
      return after;
    }
  }

  private static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
    double max = 0;
    for (String name : a.keySet()) {
      float[] x = a.get(name);
      float[] y = b.get(name);
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }

  @Test
  void packedEqualsPaddedAndAccumulationEqualsOneBigBatch() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 8);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      List<Feature> all = features(tokenizer, train, labels, 128, 32);
      long pad = tokenizer.padTokenId();
      double[] padded = new double[1];
      double[] packed = new double[1];
      double[] accumulated = new double[1];
      Map<String, float[]> paddedAfter = step(labels, "fused", false, pad, List.of(all), padded);
      Map<String, float[]> packedAfter = step(labels, "fused", true, pad, List.of(all), packed);
      Map<String, float[]> accumulatedAfter = step(labels, "fused", false, pad,
          List.of(all.subList(0, 3), all.subList(3, 8)), accumulated);
      System.out.printf("CRF step loss: padded %.8f, packed %.8f, accumulated 3+5 %.8f%n", padded[0], packed[0],
          accumulated[0]);
      assertEquals(padded[0], packed[0], 1e-6 * padded[0], "packed == padded");
      assertEquals(padded[0], accumulated[0], 1e-6 * padded[0], "two micro-batches == one batch");
      assertTrue(maxDifference(paddedAfter, packedAfter) < 1e-6, "packed update: " + maxDifference(paddedAfter, packedAfter));
      assertTrue(maxDifference(paddedAfter, accumulatedAfter) < 1e-6, "accumulated update: "
          + maxDifference(paddedAfter, accumulatedAfter));
      // the loss is the NLL per labelled token: near log(3) for a fresh model over 3 labels, as the cross-entropy is
      assertTrue(padded[0] > 0.5 && padded[0] < 3, "loss " + padded[0]);
      double[] bf16 = new double[1];
      step(labels, "fused", true, pad, List.of(all), bf16, Placement.Precision.BFLOAT16);
      assertTrue(bf16[0] != padded[0] && Math.abs(bf16[0] - padded[0]) < 1e-2 * padded[0],
          "under bf16 autocast the CRF's loss stays float32 on bf16 logits: " + bf16[0] + " vs " + padded[0]);

      try (EncoderForTokenClassification fresh = crfModel(labels, "fused", false)) {
        float[] before = Tensors.toFloatArray(fresh.weights().get(LinearChainCrf.TRANSITIONS));
        assertNotEquals(before[0], paddedAfter.get(LinearChainCrf.TRANSITIONS)[0], "the CRF's transitions are trained");
        assertTrue(fresh.backwardGroups().get(0).stream().map(NamedParameter::name).toList()
            .containsAll(List.of(LinearChainCrf.TRANSITIONS, LinearChainCrf.START, LinearChainCrf.END)),
            "the CRF's gradients are final with the head's: backward group 0");
        for (String name : List.of(LinearChainCrf.TRANSITIONS, LinearChainCrf.START, LinearChainCrf.END)) {
          assertFalse(ParameterGroups.decays(name), name + " gets no weight decay");
        }
      }
    }
  }

  @Test
  void windowsThatStartInsideAnEntityTrainAndEvaluateWithoutStartConstraints() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 24);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = crfModel(labels, "sdpa", false)) {
      List<Feature> windows = features(tokenizer, train, labels, 10, 3);
      int insideStarts = 0;
      for (Feature f : windows) {
        long[] ids = f.encoding().labelIds();
        for (long id : ids) {
          if (id >= 0) {
            insideStarts += f.encoding().cutAtStart() && labels.get((int) id).startsWith("I-") ? 1 : 0;
            break;
          }
        }
      }
      assertTrue(insideStarts > 0, "some window starts inside an expression: the case under test");
      for (int f = 0; f < windows.size(); f++) {
        int sentence = windows.get(f).sentenceIndex();
        boolean first = f == 0 || windows.get(f - 1).sentenceIndex() != sentence;
        boolean last = f == windows.size() - 1 || windows.get(f + 1).sentenceIndex() != sentence;
        assertEquals(!first, windows.get(f).encoding().cutAtStart(), "window " + f + " of sentence " + sentence);
        assertEquals(!last, windows.get(f).encoding().cutAtEnd(), "window " + f + " of sentence " + sentence);
      }
      TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("run")).set("crf", true)
          .set("max_seq_length", 10).set("stride", 3).set("num_train_epochs", 1).set("learning_rate", 5e-3)
          .set("save_strategy", "no").set("logging_steps", 1).build();
      try (Trainer trainer = new Trainer(config, model, tokenizer, train, train)) {
        TrainResult result = trainer.train();
        assertTrue(Double.isFinite(result.trainingLoss()) && result.trainingLoss() < 10, "loss " + result.trainingLoss());
        Evaluation evaluation = result.finalEvaluation();
        List<List<String>> predicted = evaluation.predictedTags();
        for (int s = 0; s < predicted.size(); s++) {
          assertEquals(train.get(s).size(), predicted.get(s).size());
          CrfEndToEndTest.assertValidBio(predicted.get(s), "sentence " + s + " decoded across its windows");
        }
        // the Tagger merges the same windows and decodes each sentence as one chain too (not closed: the model and
        // tokenizer belong to this test)
        TokenClassifier classifier = new TokenClassifier(model, tokenizer);
        List<List<String>> tagged = new Tagger(classifier, TaggerOptions.defaults().withWindow(10, 3))
            .tagWords(train.stream().map(LabeledSentence::words).toList()).stream().map(TaggedSentence::tags).toList();
        assertEquals(predicted, tagged);
      }
    }
  }

  @Test
  void aCrfRunNeedsTheModelsCrfAndAllowedGoldTags() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 8);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification crf = crfModel(labels, "sdpa", false);
        EncoderForTokenClassification plain = TrainerFixtures.tinyModel(32, 1, labels)) {
      TrainingConfig.Builder base = TrainingConfig.builder().set("output_dir", tmp.resolve("run")).set("max_steps", 1);
      IllegalArgumentException noHead = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new Trainer(base.set("crf", true).build(), plain, tokenizer, train, null));
      assertTrue(noHead.getMessage().contains("the model has no CRF head"), noHead.getMessage());
      IllegalArgumentException chains = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new Trainer(base.set("label_all_tokens", true).build(), crf, tokenizer, train, null));
      assertTrue(chains.getMessage().contains("crf_label_all_tokens false") && chains.getMessage().contains("label_all_tokens is true"),
          chains.getMessage());
      List<LabeledSentence> broken = new ArrayList<>(train);
      LabeledSentence first = train.get(1);
      List<String> tags = new ArrayList<>(java.util.Collections.nCopies(first.size(), "O"));
      tags.set(2, "I-EXPR");
      broken.set(1, first.withTags(tags));
      IllegalArgumentException gold = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new Trainer(base.set("label_all_tokens", false).build(), crf, tokenizer, broken, null));
      assertTrue(gold.getMessage().startsWith("train_file " + first.location() + ": the CRF's BIO constraints forbid"
          + " I-EXPR after O (at word 3 \"" + first.words().get(2) + "\")"), gold.getMessage());
      IllegalArgumentException weights = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> TrainingConfig.builder().set("output_dir", tmp).set("crf", true).set("label_smoothing_factor", 0.1).build());
      assertTrue(weights.getMessage().contains("drop label_smoothing_factor or crf"), weights.getMessage());
    }
  }
}
