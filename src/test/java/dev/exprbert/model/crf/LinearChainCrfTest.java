package dev.exprbert.model.crf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelConfigs;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TinyFamilies;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CRF as the model holds it: its config.json keys on every family, its parameters and their initialisation, and
 * its float32 negative log-likelihood over chains picked out of padded and packed logits (against enumeration, and
 * padded against packed: the same loss and the same gradients).
 */
class LinearChainCrfTest {
  private static final List<String> LABELS = List.of("O", "B-X", "I-X", "B-Y", "I-Y");

  @BeforeAll
  static void natives() {
    Natives.init();
  }

  private static EncoderConfig crfConfig(String modelType, boolean everySubToken) {
    return new CrfSettings(true, everySubToken).applyTo(TinyFamilies.config(modelType).withLabels(LABELS));
  }

  @Test
  void configKeysRoundTripOnEveryFamily() {
    for (String modelType : TinyFamilies.MODEL_TYPES) {
      EncoderConfig plain = TinyFamilies.config(modelType).withLabels(LABELS);
      assertEquals(CrfSettings.NONE, CrfSettings.of(plain));
      EncoderConfig crf = crfConfig(modelType, true);
      JsonObject json = JsonParser.parseString(crf.toJson()).getAsJsonObject();
      assertTrue(json.get(CrfSettings.USE_CRF).getAsBoolean(), modelType + ": " + json);
      assertTrue(json.get(CrfSettings.LABEL_ALL_TOKENS).getAsBoolean());
      EncoderConfig reread = ModelConfigs.fromJson(json, "test");
      assertEquals(new CrfSettings(true, true), CrfSettings.of(reread));
      assertEquals(crf.toJson(), reread.toJson(), modelType + ": config.json round trip");
      assertEquals(CrfSettings.of(crf), CrfSettings.of(crf.withLabels(List.of("O", "B-Z", "I-Z"))),
          "new labels keep the CRF");
      assertEquals(plain.toJson(), CrfSettings.NONE.applyTo(crf).toJson(), modelType + ": removing the CRF restores the config");
      List<String> names = ParameterSpec.of(crf).stream().map(ParameterSpec::name).toList();
      assertEquals(List.of(LinearChainCrf.TRANSITIONS, LinearChainCrf.START, LinearChainCrf.END),
          names.subList(names.size() - 3, names.size()));
      assertEquals(ParameterSpec.of(plain).size() + 3, names.size());
    }
  }

  @Test
  void badConfigValuesAreRefusedNamingTheKey() {
    JsonObject json = JsonParser.parseString(crfConfig("bert", false).toJson()).getAsJsonObject();
    json.addProperty(CrfSettings.USE_CRF, "yes");
    ModelConfigException notBoolean = assertThrows(ModelConfigException.class, () -> ModelConfigs.fromJson(json, "test"));
    assertTrue(notBoolean.getMessage().contains("use_crf: expected true or false"), notBoolean.getMessage());
    JsonObject defaults = JsonParser.parseString(TinyFamilies.config("bert").toJson()).getAsJsonObject();
    defaults.addProperty(CrfSettings.USE_CRF, true);
    ModelConfigException noScheme = assertThrows(ModelConfigException.class, () -> ModelConfigs.fromJson(defaults, "test"));
    assertTrue(noScheme.getMessage().startsWith("use_crf: cannot infer the label scheme")
        && noScheme.getMessage().contains("\"LABEL_0\""), noScheme.getMessage());
  }

  @Test
  void parametersAreInitialisedAsPytorchCrfDoes() {
    EncoderConfig config = crfConfig("bert", false);
    try (ModelWeights weights = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 3)) {
      for (String name : List.of(LinearChainCrf.TRANSITIONS, LinearChainCrf.START, LinearChainCrf.END)) {
        float[] values = Tensors.toFloatArray(weights.get(name));
        assertEquals(name.equals(LinearChainCrf.TRANSITIONS) ? 25 : 5, values.length);
        double min = 1;
        double max = -1;
        for (float v : values) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        assertTrue(min >= -0.1 && max <= 0.1 && max - min > 0.02, name + " in uniform(-0.1, 0.1): " + min + ".." + max);
      }
    }
  }

  @Test
  void negativeLogLikelihoodOfPaddedAndPackedLogitsEqualsEnumeration() {
    EncoderConfig config = crfConfig("bert", false);
    Random random = new Random(5);
    TransitionConstraints constraints = TransitionConstraints.forLabels(LABELS);
    BruteForceCrf.Scores scores = BruteForceCrf.Scores.random(random, LABELS.size());
    int seq = 7;
    int[] lengths = {7, 5, 4};
    // -100 on specials and continuation pieces; the third sentence is a window cut before its end
    long[][] labels = {{-100, 0, 1, -100, 2, 0, -100}, {-100, 3, 4, 4, -100}, {-100, 2, 2, -100}};
    boolean[] closes = {true, true, false};
    boolean[] opens = {true, true, false};
    float[] padded = new float[lengths.length * seq * LABELS.size()];
    for (int i = 0; i < padded.length; i++) {
      padded[i] = (float) random.nextGaussian() * 2;
    }
    try (ModelWeights weights = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 3);
        LinearChainCrf crf = new LinearChainCrf(weights, config); PointerScope scope = new PointerScope()) {
      setScores(weights, scores);
      double expected = 0;
      for (int b = 0; b < lengths.length; b++) {
        List<double[]> rows = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (int t = 0; t < lengths[b]; t++) {
          if (labels[b][t] >= 0) {
            double[] row = new double[LABELS.size()];
            for (int l = 0; l < row.length; l++) {
              row[l] = padded[(b * seq + t) * LABELS.size() + l];
            }
            rows.add(row);
            gold.add((int) labels[b][t]);
          }
        }
        BruteForceCrf chain = new BruteForceCrf(rows.toArray(double[][]::new), scores.start(), scores.transitions(),
            scores.end(), constraints, opens[b], closes[b]);
        int[] path = gold.stream().mapToInt(Integer::intValue).toArray();
        assertTrue(chain.allowed(path), "gold path " + gold);
        expected += chain.logPartition() - chain.score(path);
      }
      Tensor paddedLogits = Tensors.floats(padded, lengths.length, seq, LABELS.size()).requires_grad_(true);
      CrfChains.Builder paddedChains = CrfChains.builder();
      float[] packed = new float[(7 + 5 + 4) * LABELS.size()];
      CrfChains.Builder packedChains = CrfChains.builder();
      int at = 0;
      for (int b = 0; b < lengths.length; b++) {
        long[] rowLabels = new long[seq];
        java.util.Arrays.fill(rowLabels, -100);
        System.arraycopy(labels[b], 0, rowLabels, 0, lengths[b]);
        paddedChains.add((long) b * seq, rowLabels, opens[b], closes[b]);
        packedChains.add(at, labels[b], opens[b], closes[b]);
        System.arraycopy(padded, b * seq * LABELS.size(), packed, at * LABELS.size(), lengths[b] * LABELS.size());
        at += lengths[b];
      }
      Tensor packedLogits = Tensors.floats(packed, at, LABELS.size()).requires_grad_(true);
      double paddedLoss;
      float[] paddedGrad;
      float[] crfGrad;
      try (CrfChains chains = paddedChains.build(); Tensor loss = crf.negativeLogLikelihood(paddedLogits, chains)) {
        assertEquals(3, chains.size());
        paddedLoss = loss.item_double();
        loss.backward();
        paddedGrad = Tensors.toFloatArray(paddedLogits.grad());
        crfGrad = Tensors.toFloatArray(weights.get(LinearChainCrf.TRANSITIONS).grad());
        weights.get(LinearChainCrf.TRANSITIONS).grad().zero_();
      }
      assertEquals(expected, paddedLoss, 1e-4 * Math.abs(expected), "float32 NLL against enumeration in double");
      try (CrfChains chains = packedChains.build(); Tensor loss = crf.negativeLogLikelihood(packedLogits, chains)) {
        assertEquals(paddedLoss, loss.item_double(), 1e-5 * Math.abs(paddedLoss), "packed == padded");
        loss.backward();
      }
      float[] packedGrad = Tensors.toFloatArray(packedLogits.grad());
      at = 0;
      for (int b = 0; b < lengths.length; b++) {
        for (int i = 0; i < lengths[b] * LABELS.size(); i++) {
          assertEquals(paddedGrad[b * seq * LABELS.size() + i], packedGrad[at * LABELS.size() + i], 1e-6,
              "logit gradient of sentence " + b);
        }
        for (int t = lengths[b]; t < seq; t++) {
          for (int l = 0; l < LABELS.size(); l++) {
            assertEquals(0f, paddedGrad[(b * seq + t) * LABELS.size() + l], "padding gets no gradient");
          }
        }
        at += lengths[b];
      }
      assertArrayEquals(crfGrad, Tensors.toFloatArray(weights.get(LinearChainCrf.TRANSITIONS).grad()), 1e-6f);
      assertNotEquals(0f, crfGrad[0 * 5 + 1], "O -> B-X is used: its score has a gradient");
      assertEquals(0f, crfGrad[0 * 5 + 2], 1e-12f, "O -> I-X is forbidden: no path through it counts");
    }
  }

  @Test
  void batchesWithoutLabelledPositionsGiveZeroThatStillBackPropagates() {
    EncoderConfig config = crfConfig("bert", false);
    try (ModelWeights weights = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 3);
        LinearChainCrf crf = new LinearChainCrf(weights, config);
        Tensor logits = Tensors.floats(new float[15], 1, 3, 5).requires_grad_(true);
        CrfChains chains = CrfChains.builder().add(0, new long[] {-100, -100, -100}, true, true).build();
        Tensor loss = crf.negativeLogLikelihood(logits, chains)) {
      assertEquals(0, chains.size());
      assertEquals(0.0, loss.item_double());
      loss.backward();
      assertArrayEquals(new float[15], Tensors.toFloatArray(logits.grad()));
    }
  }

  @Test
  void theDecoderReadsTheCurrentScores() {
    EncoderConfig config = crfConfig("bert", true);
    try (ModelWeights weights = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 3);
        LinearChainCrf crf = new LinearChainCrf(weights, config)) {
      BruteForceCrf.Scores scores = BruteForceCrf.Scores.random(new Random(1), LABELS.size());
      setScores(weights, scores);
      ViterbiDecoder decoder = crf.decoder();
      assertTrue(decoder.everySubToken());
      BruteForceCrf chain = BruteForceCrf.random(new Random(2), 5, scores, crf.constraints(), true, true);
      float[][] rows = new float[5][5];
      for (int t = 0; t < 5; t++) {
        for (int l = 0; l < 5; l++) {
          rows[t][l] = (float) chain.emissions()[t][l];
        }
      }
      assertArrayEquals(chain.best(), decoder.decode(rows));
      assertFalse(crf.constraints().allowedAtStart(LABELS.indexOf("I-X")));
    }
  }

  private static void setScores(ModelWeights weights, BruteForceCrf.Scores scores) {
    int n = scores.start().length;
    float[] moves = new float[n * n];
    float[] start = new float[n];
    float[] end = new float[n];
    for (int i = 0; i < n; i++) {
      start[i] = (float) scores.start()[i];
      end[i] = (float) scores.end()[i];
      for (int j = 0; j < n; j++) {
        moves[i * n + j] = (float) scores.transitions()[i][j];
      }
    }
    try (NoGradGuard noGrad = new NoGradGuard(); Tensor a = Tensors.floats(moves, n, n); Tensor s = Tensors.floats(start, n);
        Tensor e = Tensors.floats(end, n)) {
      weights.get(LinearChainCrf.TRANSITIONS).copy_(a);
      weights.get(LinearChainCrf.START).copy_(s);
      weights.get(LinearChainCrf.END).copy_(e);
    }
  }
}
