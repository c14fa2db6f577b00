package dev.exprbert.train;

import dev.exprbert.data.BioChecker;
import dev.exprbert.data.BioReport;
import dev.exprbert.data.KnownLabels;
import dev.exprbert.data.LabelSets;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.hub.ModelResolver;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.BackgroundTokenizer;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
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
 * What run_ner.py does before {@code Trainer(...)}: read the data of the run's steps ({@link RunSteps}; at most
 * {@code max_*_samples} of each, with the column and span settings of {@link TrainingData}), take the label list
 * from the training data, load the model (or initialise one from a config) with that label list, and check the
 * evaluation and test labels. Without {@code do_train} the model is loaded as it was saved (strictly, with its own
 * labels and tokenizer). The label rules:
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

  /**
   * A model with its tokenizer (owned; close it) and the data of the run's steps: {@code train} null without
   * {@code do_train}, {@code eval} null without {@code do_eval}, {@code test} null without {@code do_predict}.
   */
  public record Prepared(TokenClassifier classifier, List<LabeledSentence> train, List<LabeledSentence> eval,
      List<LabeledSentence> test, BioReport bio, RunSteps steps) implements AutoCloseable {
    @Override
    public void close() {
      classifier.close();
    }
  }

  private TrainingSetup() {}

  public static Prepared prepare(TrainingConfig config) throws IOException {
    RunSteps steps = RunSteps.of(config);
    requireInputs(config, steps);
    ReaderOptions options = TrainingData.readerOptions(config);
    List<LabeledSentence> train = null;
    BioReport bio = null;
    TokenClassifier classifier;
    if (steps.train()) {
      Natives.prepareEnvironment(); // before the tokenizer's thread starts ([note: environment first])
      String tokenizerDir = config.tokenizerName() != null ? config.tokenizerName() : config.modelNameOrPath();
      // the tokenizer loads on its own thread while LibTorch loads and the training data is read
      try (BackgroundTokenizer tokenizer = BackgroundTokenizer.start(ModelResolver.resolve(tokenizerDir))) {
        Natives.init();
        train = TrainingData.read("train_file", config.trainFile(), options, config.maxTrainSamples());
        bio = BioChecker.check(train, 3);
        if (!bio.isWellFormed()) {
          LOG.warn("train_file {}: {} (training goes on; seqeval reads such a tag as the start of a new entity)",
              config.trainFile(), bio.summary());
        }
        classifier = loadForTraining(config, LabelSets.collect(train), tokenizer);
      }
    } else {
      Natives.init();
      if (config.tokenizerName() != null && !config.tokenizerName().equals(config.modelNameOrPath())) {
        throw new IllegalArgumentException("without do_train the model is used with the tokenizer saved beside it;"
            + " drop tokenizer_name " + config.tokenizerName());
      }
      classifier = TokenClassifier.load(ModelResolver.resolve(config.modelNameOrPath()), config.device(),
          config.attnImplementation());
    }
    try {
      List<String> labels = classifier.config().labels();
      List<LabeledSentence> eval = !steps.eval() ? null : checkedEvalData("validation_file", config.validationFile(),
          options, config.maxEvalSamples(), labels, config.unknownLabelsToO());
      List<LabeledSentence> test = !steps.predict() ? null : checkedEvalData("test_file", config.testFile(), options,
          config.maxPredictSamples(), labels, config.unknownLabelsToO());
      return new Prepared(classifier, train, eval, test, bio, steps);
    } catch (RuntimeException e) {
      classifier.close();
      throw e;
    }
  }

  private static TokenClassifier loadForTraining(TrainingConfig config, List<String> dataLabels,
      BackgroundTokenizer tokenizer) throws IOException {
    EncoderForTokenClassification model = loadModel(config, dataLabels, config.device());
    try {
      return new TokenClassifier(model, tokenizer.take());
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * run_ner's rules on its inputs, and the device and output folder, checked before anything is read or loaded, so a
   * wrong flag fails in a second, not after loading a model: a training file, evaluation data when an evaluation
   * strategy is set ("--do_eval requires a validation dataset"), a model or a config to start from and a tokenizer,
   * a device LibTorch can use, and an output folder that can be written.
   */
  static void requireInputs(TrainingConfig config, RunSteps steps) {
    if (steps.train()) {
      requireDataFile(config.trainFile(), "--train_file");
      if (config.validationFile() == null && config.evalStrategy() != TrainingConfig.Strategy.NO) {
        throw new IllegalArgumentException("--eval_strategy " + config.evalStrategy() + " needs evaluation data: add"
            + " --validation_file, or set --eval_strategy no");
      }
      if (config.modelNameOrPath() == null && config.configName() == null) {
        throw new IllegalArgumentException("give --model_name_or_path (a model directory to fine-tune) or --config_name"
            + " (a config.json for a randomly initialised model)");
      }
      if (config.modelNameOrPath() == null && config.tokenizerName() == null) {
        throw new IllegalArgumentException("--tokenizer_name is required when no --model_name_or_path is given");
      }
    }
    if (config.validationFile() != null) {
      requireDataFile(config.validationFile(), "--validation_file");
    }
    if (steps.predict()) {
      requireDataFile(config.testFile(), "--test_file");
    }
    config.device().requireAvailable();
    OutputDirectory.requireWritable(config.outputDir());
  }

  /**
   * Checks that {@code file} can be read as a dataset: it exists and is a readable file, or a folder holding brat
   * {@code .ann} files (the one kind of folder a dataset can be); {@code flag} names it in the message.
   */
  public static void requireDataFile(Path file, String flag) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(flag + " " + file + ": no such file");
    }
    if (Files.isDirectory(file)) {
      boolean brat;
      try (java.util.stream.Stream<Path> files = Files.walk(file)) {
        brat = files.anyMatch(p -> p.getFileName().toString().endsWith(".ann") && Files.isRegularFile(p));
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new IllegalArgumentException(flag + " " + file + " is a folder that cannot be listed (" + e.getMessage()
            + "); expected a CoNLL or JSON Lines file");
      }
      if (!brat) {
        throw new IllegalArgumentException(flag + " " + file + " is a folder, not a data file: expected a CoNLL or JSON"
            + " Lines file (a folder is read only as brat annotations, and this one holds no .ann file)");
      }
    } else if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + " " + file + " cannot be read: permission denied");
    }
  }

  /** The evaluation sentences, their labels checked against the model's (or unknown ones mapped to O). */
  public static List<LabeledSentence> checkedEvalData(Path file, List<String> modelLabels, boolean unknownToO) {
    return checkedEvalData("validation_file", file, ReaderOptions.DEFAULTS, null, modelLabels, unknownToO);
  }

  /**
   * The first {@code limit} (all when null) labelled sentences of {@code file}, read with {@code options}, their
   * labels checked against the model's (or unknown ones mapped to O); {@code setting} names the file in messages.
   */
  public static List<LabeledSentence> checkedEvalData(String setting, Path file, ReaderOptions options, Integer limit,
      List<String> modelLabels, boolean unknownToO) {
    List<LabeledSentence> eval = TrainingData.read(setting, file, options, limit);
    KnownLabels known = new KnownLabels(modelLabels, unknownToO);
    if (!unknownToO) {
      known.requireAllKnown(LabelSets.collect(eval), setting + " " + file);
      return eval;
    }
    List<LabeledSentence> mapped = new ArrayList<>(eval.size());
    for (LabeledSentence s : eval) {
      mapped.add(known.apply(s));
    }
    if (known.mappedTags() > 0) {
      LOG.warn("{} {}: {} tag(s) with label(s) {} the model does not know were mapped to O", setting, file,
          known.mappedTags(), known.mappedLabels());
    }
    return mapped;
  }

  static EncoderForTokenClassification loadModel(TrainingConfig config, List<String> dataLabels, Placement placement)
      throws IOException {
    if (config.modelNameOrPath() == null) { // then config_name is set (requireInputs)
      Path configFile = Path.of(config.configName());
      if (Files.isDirectory(configFile)) {
        configFile = configFile.resolve(ModelDirectory.CONFIG);
      }
      EncoderConfig fresh = withCrf(config, EncoderConfig.read(configFile).withLabels(dataLabels));
      return new EncoderForTokenClassification(fresh, CheckpointLoader.initialize(fresh, placement, config.seed()), placement,
          attention(config, fresh));
    }
    Path dir = ModelResolver.resolve(config.modelNameOrPath());
    EncoderConfig saved = ModelDirectory.readConfig(dir);
    List<String> labels = chooseLabels(saved.labels(), dataLabels, config.ignoreMismatchedSizes(), dir);
    boolean newHead = !new HashSet<>(labels).equals(new HashSet<>(saved.labels())) || hasDefaultLabels(saved.labels());
    EncoderConfig withLabels = withCrf(config, saved.withLabels(labels));
    Map<String, Tensor> checkpoint = ModelDirectory.readWeights(dir);
    try {
      Map<String, Tensor> used = checkpoint;
      if (newHead) {
        used = new LinkedHashMap<>(checkpoint);
        used.keySet().removeIf(k -> k.startsWith("classifier.") || LinearChainCrf.owns(k)); // both follow the labels
      }
      CheckpointLoader.Loaded loaded = CheckpointLoader.loadForFineTuning(withLabels, used, placement, config.seed(), ModelDirectory.weightsFile(dir).toString());
      return new EncoderForTokenClassification(withLabels, loaded.weights(), placement, attention(config, withLabels));
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
  }

  /** The backend asked for, else the fastest the model's family supports. */
  static AttentionBackend attention(TrainingConfig config, EncoderConfig model) {
    AttentionImplementation asked = config.attnImplementation();
    return (asked != null ? asked : AttentionImplementation.fastest(model.family().attentionImplementations())).create();
  }

  /**
   * The model's config with the CRF head the run trains: {@code crf} adds one, and a model saved with one keeps it
   * (training without a CRF would leave its transition scores stale). The CRF chains what the run labels: each word's
   * first sub-token, or every sub-token with {@code label_all_tokens}.
   */
  private static EncoderConfig withCrf(TrainingConfig config, EncoderConfig model) {
    boolean saved = CrfSettings.of(model).enabled();
    if (!config.crf() && !saved) {
      return model;
    }
    if (!config.crf()) {
      LOG.info("the model has a CRF head (config.json's {}): it is trained with it", CrfSettings.USE_CRF);
    }
    return new CrfSettings(true, config.labelAllTokens()).applyTo(model);
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
