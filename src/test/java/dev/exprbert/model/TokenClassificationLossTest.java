package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The loss against PyTorch: the plain case by hand, class weights and label smoothing against
 * {@code F.cross_entropy(weight=..., label_smoothing=..., ignore_index=-100)} on fixed logits (loss/loss_fixture.json,
 * made by loss/make_loss_fixture.py with torch 2.13): the mean, the sum, the gradient of the mean, and the mean
 * assembled from micro-batches that share one denominator, as gradient accumulation assembles it.
 */
class TokenClassificationLossTest {
  @Test
  void ignoresMinus100AndAveragesOverLabelledPositions() {
    Natives.init();
    // one sentence, 3 positions, 2 labels; logits favour label 0 at every position
    float[] logits = {2, 0, 2, 0, 2, 0};
    long[] labels = {0, -100, 1};
    try (Tensor l = Tensors.floats(logits, 1, 3, 2); Tensor y = Tensors.longs(labels, 1, 3);
        Tensor mean = TokenClassificationLoss.mean(l, y); Tensor sum = TokenClassificationLoss.sum(l, y)) {
      double right = Math.log(1 + Math.exp(-2)); // -log softmax of the favoured label
      double wrong = Math.log(1 + Math.exp(2));
      assertEquals((right + wrong) / 2, mean.item_double(), 1e-6);
      assertEquals(right + wrong, sum.item_double(), 1e-6);
    }
  }

  @Test
  void labelIdsOutsideTheLabelSetAreRejectedWithTheValidRange() {
    Natives.init();
    try (Tensor l = Tensors.floats(new float[6], 1, 3, 2); Tensor y = Tensors.longs(new long[] {0, 5, -100}, 1, 3)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenClassificationLoss.mean(l, y));
      assertTrue(e.getMessage().contains("label id 5") && e.getMessage().contains("0..1"), e.getMessage());
    }
  }

  private static JsonObject fixture() throws Exception {
    try (InputStream in = TokenClassificationLossTest.class.getResourceAsStream("loss/loss_fixture.json")) {
      JsonObject f = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
      assertEquals(1, f.get("format").getAsInt(), "loss_fixture.json format; regenerate with make_loss_fixture.py");
      return f;
    }
  }

  private static float[] floats(JsonArray array) {
    float[] values = new float[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).getAsFloat();
    }
    return values;
  }

  private static long[] longs(JsonArray array) {
    long[] values = new long[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).getAsLong();
    }
    return values;
  }

  private static double[] doubles(JsonElement array) {
    if (array.isJsonNull()) {
      return null;
    }
    double[] values = new double[array.getAsJsonArray().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.getAsJsonArray().get(i).getAsDouble();
    }
    return values;
  }

  @Test
  void classWeightsAndLabelSmoothingEqualPyTorchCrossEntropy() throws Exception {
    Natives.init();
    JsonObject f = fixture();
    long[] shape = longs(f.getAsJsonArray("shape"));
    float[] logits = floats(f.getAsJsonArray("logits"));
    long[] labels = longs(f.getAsJsonArray("labels"));
    int numLabels = f.get("num_labels").getAsInt();
    int perSentence = (int) (shape[1] * numLabels);
    for (JsonElement element : f.getAsJsonArray("cases")) {
      JsonObject c = element.getAsJsonObject();
      String name = "weights " + c.get("weights") + ", smoothing " + c.get("label_smoothing");
      TokenClassificationLoss loss = new TokenClassificationLoss(doubles(c.get("weights")),
          c.get("label_smoothing").getAsDouble());
      double denominator = loss.denominator(labels);
      try (Tensor x = Tensors.floats(logits, shape).requires_grad_(true); Tensor y = Tensors.longs(labels, shape[0], shape[1]);
          Tensor sum = loss.summed(x, y); Tensor mean = sum.div(new Scalar(denominator))) {
        assertEquals(c.get("sum").getAsDouble(), sum.item_double(), 2e-6 * Math.abs(c.get("sum").getAsDouble()), name);
        assertEquals(c.get("mean").getAsDouble(), mean.item_double(), 2e-6 * Math.abs(c.get("mean").getAsDouble()),
            name + ": the mean divides by the target classes' weights");
        mean.backward();
        float[] grad = Tensors.toFloatArray(x.grad());
        float[] expected = floats(c.getAsJsonArray("grad_of_mean"));
        for (int i = 0; i < grad.length; i++) {
          assertEquals(expected[i], grad[i], 1e-6, name + ": d mean / d logits[" + i + "]");
        }
      }
      // gradient accumulation: each sentence a micro-batch, each divided by the whole update's denominator
      double accumulated = 0;
      for (int s = 0; s < shape[0]; s++) {
        float[] microLogits = Arrays.copyOfRange(logits, s * perSentence, (s + 1) * perSentence);
        long[] microLabels = Arrays.copyOfRange(labels, (int) (s * shape[1]), (int) ((s + 1) * shape[1]));
        try (Tensor x = Tensors.floats(microLogits, 1, shape[1], numLabels); Tensor y = Tensors.longs(microLabels, 1, shape[1]);
            Tensor sum = loss.summed(x, y)) {
          accumulated += sum.item_double() / denominator;
        }
      }
      assertEquals(c.get("mean").getAsDouble(), accumulated, 2e-6 * c.get("mean").getAsDouble(),
          name + ": micro-batches over one denominator give the mean of the whole update");
    }
  }

  @Test
  void theDenominatorIsTheTargetClassesWeightsOrTheLabelledCount() {
    long[] labels = {-100, 0, 2, 2, -100, 1};
    assertEquals(4.0, TokenClassificationLoss.PLAIN.denominator(labels));
    assertEquals(0.5 + 3 + 3 + 2, new TokenClassificationLoss(new double[] {0.5, 2, 3}, 0.1).denominator(labels));
    IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
        () -> new TokenClassificationLoss(new double[] {1, 1}, 0).denominator(labels));
    assertTrue(outside.getMessage().contains("label id 2 is outside the 2 class weights"), outside.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TokenClassificationLoss(new double[] {1, -1}, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenClassificationLoss(new double[] {0, 0}, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenClassificationLoss(null, 1.5));
    Natives.init();
    try (Tensor x = Tensors.floats(new float[6], 1, 2, 3); Tensor y = Tensors.longs(new long[] {0, 1}, 1, 2)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new TokenClassificationLoss(new double[] {1, 1}, 0).summed(x, y));
      assertTrue(e.getMessage().contains("2 class weights for logits of 3 labels"), e.getMessage());
    }
  }
}
