package dev.exprbert.train;

import dev.exprbert.data.BioChecker;
import dev.exprbert.data.BioReport;
import dev.exprbert.data.KnownLabels;
import dev.exprbert.data.LabelSets;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.hub.ModelResolver;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What run_ner.py does before {@code Trainer(...)}: read the data, take the label list from the
 * training data, load the model (or initialise one from a config) with that label list, and check the
 * evaluation labels. The label rules:
 * <ul>
 *   <li>the model was saved with real labels (not LABEL_0..) and they are the data's labels in another
 *       order: the model's order is kept (run_ner does the same);
 *   <li>they differ: an error listing both, unless {@code ignore_mismatched_sizes} asks for a new head;
 *   <li>evaluation labels the model does not know: an error listing them, unless {@code unknown_labels_to_o};
 *   <li>ill-formed BIO in the training data ({@code I-X} not after {@code X}): a warning with the count.
 * </ul>
 */
public final class TrainingSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingSetup.class);

  /** A model with its tokenizer (owned; close it) and the data, ready for {@link Trainer}. */
  public record Prepared(TokenClassifier classifier, List<LabeledSentence> train, List<LabeledSentence> eval,
      BioReport bio) implements AutoCloseable {
    @Override
    public void close() {
      classifier.close();
    }
  }

  private TrainingSetup() {}

  public static Prepared prepare(TrainingConfig config) throws IOException {
    Natives.init();
    if (config.trainFile() == null) {
      throw new IllegalArgumentException("train_file is required: a CoNLL or JSON Lines file of labelled sentences");
    }
    List<LabeledSentence> train = SentenceReaders.readAll(config.trainFile(), ReaderOptions.DEFAULTS);
    if (train.isEmpty()) {
      throw new IllegalArgumentException("train_file " + config.trainFile() + " holds no sentence");
    }
    BioReport bio = BioChecker.check(train, 3);
    if (!bio.isWellFormed()) {
      LOG.warn("train_file {}: {} (training goes on; seqeval reads such a tag as the start of a new entity)",
          config.trainFile(), bio.summary());
    }
    List<String> dataLabels = LabelSets.collect(train);
    Placement placement = config.device();
    EncoderForTokenClassification model = loadModel(config, dataLabels, placement);
    try {
      List<LabeledSentence> eval = config.validationFile() == null ? null
          : checkedEvalData(config.validationFile(), model.config().labels(), config.unknownLabelsToO());
      String tokenizerDir = config.tokenizerName() != null ? config.tokenizerName() : config.modelNameOrPath();
      if (tokenizerDir == null) {
        throw new IllegalArgumentException("tokenizer_name is required when no model_name_or_path is given");
      }
      ModelTokenizer tokenizer = TokenizerLoader.load(ModelResolver.resolve(tokenizerDir));
      return new Prepared(new TokenClassifier(model, tokenizer), train, eval, bio);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The evaluation sentences, their labels checked against the model's (or unknown ones mapped to O). */
  public static List<LabeledSentence> checkedEvalData(Path file, List<String> modelLabels, boolean unknownToO) {
    List<LabeledSentence> eval = SentenceReaders.readAll(file, ReaderOptions.DEFAULTS);
    if (eval.isEmpty()) {
      throw new IllegalArgumentException("validation_file " + file + " holds no sentence");
    }
    KnownLabels known = new KnownLabels(modelLabels, unknownToO);
    if (!unknownToO) {
      known.requireAllKnown(LabelSets.collect(eval), "validation_file " + file);
      return eval;
    }
    List<LabeledSentence> mapped = new ArrayList<>(eval.size());
    for (LabeledSentence s : eval) {
      mapped.add(known.apply(s));
    }
    if (known.mappedTags() > 0) {
      LOG.warn("validation_file {}: {} tag(s) with label(s) {} the model does not know were mapped to O", file,
          known.mappedTags(), known.mappedLabels());
    }
    return mapped;
  }

  static EncoderForTokenClassification loadModel(TrainingConfig config, List<String> dataLabels, Placement placement)
      throws IOException {
    if (config.modelNameOrPath() == null) {
      if (config.configName() == null) {
        throw new IllegalArgumentException("give model_name_or_path (a model directory to fine-tune) or config_name"
            + " (a config.json for a randomly initialised model)");
      }
      Path configFile = Path.of(config.configName());
      if (Files.isDirectory(configFile)) {
        configFile = configFile.resolve(ModelDirectory.CONFIG);
      }
      EncoderConfig fresh = EncoderConfig.read(configFile).withLabels(dataLabels);
      return new EncoderForTokenClassification(fresh, CheckpointLoader.initialize(fresh, placement, config.seed()), placement,
          attention(config, fresh));
    }
    Path dir = ModelResolver.resolve(config.modelNameOrPath());
    EncoderConfig saved = ModelDirectory.readConfig(dir);
    List<String> labels = chooseLabels(saved.labels(), dataLabels, config.ignoreMismatchedSizes(), dir);
    boolean newHead = !new HashSet<>(labels).equals(new HashSet<>(saved.labels())) || hasDefaultLabels(saved.labels());
    EncoderConfig withLabels = saved.withLabels(labels);
    Map<String, Tensor> checkpoint = ModelDirectory.readWeights(dir);
    try {
      Map<String, Tensor> used = checkpoint;
      if (newHead) {
        used = new LinkedHashMap<>(checkpoint);
        used.keySet().removeIf(k -> k.startsWith("classifier."));
      }
      CheckpointLoader.Loaded loaded = CheckpointLoader.loadForFineTuning(withLabels, used, placement, config.seed(), ModelDirectory.weightsFile(dir).toString());
      return new EncoderForTokenClassification(withLabels, loaded.weights(), placement, attention(config, withLabels));
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
  }

  /** The backend asked for, else the fastest the model's family supports. */
  private static AttentionBackend attention(TrainingConfig config, EncoderConfig model) {
    AttentionImplementation asked = config.attnImplementation();
    return (asked != null ? asked : AttentionImplementation.fastest(model.family().attentionImplementations())).create();
  }

  /**
   * The label list to train with: the model's own order when it already has the data's labels, the
   * data's labels for a model without real labels or when a new head was asked for, otherwise an error.
   */
  static List<String> chooseLabels(List<String> modelLabels, List<String> dataLabels, boolean newHeadAllowed, Path model) {
    if (hasDefaultLabels(modelLabels)) {
      return dataLabels;
    }
    if (new HashSet<>(modelLabels).equals(new HashSet<>(dataLabels))) {
      return modelLabels;
    }
    if (newHeadAllowed) {
      LOG.warn("the model at {} was trained with labels {}; the data has {}: training a new classification head",
          model, modelLabels, dataLabels);
      return dataLabels;
    }
    throw new IllegalArgumentException("the training data's labels " + dataLabels + " differ from the labels " + modelLabels
        + " of the model at " + model + "; pass --ignore_mismatched_sizes (or --reinit-head) to train a new"
        + " classification head for the data's labels");
  }

  private static boolean hasDefaultLabels(List<String> labels) {
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.get(i).equals("LABEL_" + i)) {
        return false;
      }
    }
    return true;
  }
}
