package dev.exprbert.report;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * What the model card of a training run says (Hugging Face's {@code TrainingSummary}).
 *
 * @param modelName the output directory's name, the card's title and model-index name
 * @param baseModel the checkpoint fine-tuned from (a Hub id such as {@code bert-base-multilingual-cased}),
 *     or {@code null} for a model trained from scratch
 * @param datasetName the dataset's display name, or {@code null} for "an unknown dataset"
 * @param labels the model's labels in id order (listed in the model description)
 * @param architecture the model's family and class, named in the model description; null when unknown
 * @param hyperparameters Hugging Face's names and values in card order: learning_rate,
 *     train_batch_size, eval_batch_size, seed, optimizer, lr_scheduler_type, num_epochs, ...; values
 *     print as Python's {@code str()} would (a Double 2e-5 as {@code 2e-05}, an Integer 5 as {@code 5})
 * @param epochs one row per evaluation, in order
 * @param finalEval the final evaluation: loss, precision, recall, f1, accuracy (HF metric names without
 *     the {@code eval_} prefix), in card order
 * @param frameworkVersions e.g. {@code ExprBERT -> 0.1.0}, {@code LibTorch -> 2.10.0}, in card order
 */
public record ModelCardData(
    String modelName,
    String baseModel,
    String datasetName,
    List<String> labels,
    Architecture architecture,
    LinkedHashMap<String, Object> hyperparameters,
    List<EpochRow> epochs,
    LinkedHashMap<String, Double> finalEval,
    LinkedHashMap<String, String> frameworkVersions) {

  /**
   * @param familyName how people write the family ({@code RoBERTa})
   * @param className transformers' class ({@code RobertaForTokenClassification})
   */
  public record Architecture(String familyName, String className) {}
}
