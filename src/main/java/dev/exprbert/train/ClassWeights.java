package dev.exprbert.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.exprbert.data.Feature;
import dev.exprbert.model.TokenClassificationLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code class_weights} setting, resolved to one weight per label id, and the loss it makes with
 * {@code label_smoothing_factor}.
 * <ul>
 *   <li>{@code auto}: scikit-learn's {@code compute_class_weight("balanced")}, {@code n / (C * count[c])}, where the
 *       samples are the labelled positions the training loss sees (every sub-token position with a label, in every
 *       window of the training set: the first sub-token of each word, all of them with {@code label_all_tokens}),
 *       {@code n} their number and {@code C} the model's label count. A label with no labelled position is an
 *       error (scikit-learn refuses it too), naming it;
 *   <li>a JSON file {@code {"B-EXPR": 2.0, "O": 0.5, ...}}: a finite weight >= 0 for every label of the model,
 *       none missing, none unknown.
 * </ul>
 */
final class ClassWeights {
  private static final Logger LOG = LoggerFactory.getLogger(ClassWeights.class);
  static final String AUTO = "auto";

  private ClassWeights() {}

  /**
   * The loss of a run: {@code class_weights} (null for none) and {@code label_smoothing_factor}.
   *
   * @param trainFeatures the training windows ({@code auto} counts their labels), or null when there is no training
   */
  static TokenClassificationLoss loss(TrainingConfig config, List<String> labels, List<Feature> trainFeatures) {
    double[] weights = resolve(config.classWeights(), labels, trainFeatures);
    if (weights != null) {
      StringBuilder text = new StringBuilder();
      for (int c = 0; c < labels.size(); c++) {
        text.append(c == 0 ? "" : ", ").append(labels.get(c)).append(' ')
            .append(String.format(Locale.ROOT, "%.4g", weights[c]));
      }
      LOG.info("class weights ({}): {}", config.classWeights(), text);
    }
    return weights == null && config.labelSmoothingFactor() == 0 ? TokenClassificationLoss.PLAIN
        : new TokenClassificationLoss(weights, config.labelSmoothingFactor());
  }

  static double[] resolve(String setting, List<String> labels, List<Feature> trainFeatures) {
    if (setting == null || setting.isBlank() || setting.strip().equalsIgnoreCase("none")) {
      return null;
    }
    if (setting.strip().equalsIgnoreCase(AUTO)) {
      if (trainFeatures == null) {
        throw new IllegalArgumentException("class_weights auto counts the training data's labels, and this run does"
            + " not train; give a JSON file of weights");
      }
      long[] counts = new long[labels.size()];
      for (Feature f : trainFeatures) {
        for (long id : f.encoding().labelIds()) {
          if (id != TokenClassificationLoss.IGNORE_INDEX) {
            counts[(int) id]++;
          }
        }
      }
      return balanced(labels, counts);
    }
    return fromFile(Path.of(setting.strip()), labels);
  }

  /** {@code n / (C * count[c])} with {@code n} the sum of the counts and {@code C} the number of labels. */
  static double[] balanced(List<String> labels, long[] counts) {
    long n = 0;
    List<String> absent = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      n += counts[c];
      if (counts[c] == 0) {
        absent.add(labels.get(c));
      }
    }
    if (!absent.isEmpty()) {
      throw new IllegalArgumentException("class_weights auto: the label(s) " + absent + " never occur on a labelled"
          + " token of the training data, so their inverse frequency is undefined; give a JSON file of weights");
    }
    double[] weights = new double[counts.length];
    for (int c = 0; c < counts.length; c++) {
      weights[c] = n / ((double) counts.length * counts[c]);
    }
    return weights;
  }

  /** A JSON object of label to weight, covering exactly the model's labels. */
  static double[] fromFile(Path file, List<String> labels) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("class_weights: expected auto or a JSON file of label weights, and "
          + file + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read class_weights file " + file, e);
    }
    JsonObject object;
    try {
      JsonElement root = JsonParser.parseString(text);
      if (!root.isJsonObject()) {
        throw new IllegalArgumentException(file + ": expected a JSON object {\"label\": weight, ...}, found " + root);
      }
      object = root.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + ": expected a JSON object {\"label\": weight, ...}, found invalid JSON ("
          + e.getMessage() + ")");
    }
    Set<String> unknown = new LinkedHashSet<>(object.keySet());
    labels.forEach(unknown::remove);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(file + ": weights for label(s) " + unknown + " the model does not have; its"
          + " labels are " + labels);
    }
    double[] weights = new double[labels.size()];
    List<String> missing = new ArrayList<>();
    for (int c = 0; c < labels.size(); c++) {
      JsonElement value = object.get(labels.get(c));
      if (value == null) {
        missing.add(labels.get(c));
        continue;
      }
      if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()
          || !(value.getAsDouble() >= 0) || Double.isInfinite(value.getAsDouble())) {
        throw new IllegalArgumentException(file + ": \"" + labels.get(c) + "\": expected a finite weight >= 0, found "
            + value);
      }
      weights[c] = value.getAsDouble();
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(file + ": no weight for label(s) " + missing + "; expected one for each of "
          + labels);
    }
    return weights;
  }
}
