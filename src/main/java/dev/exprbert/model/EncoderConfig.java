package dev.exprbert.model;

import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every family's configuration tells the rest of ExprBERT, in one vocabulary (BERT's names): the sizes, the
 * dropouts, the labels, and how to write it back. Each family keeps its own record with its own config.json keys
 * ({@link dev.exprbert.model.bert.BertConfig} for BERT, RoBERTa, XLM-RoBERTa and ELECTRA, which share transformers'
 * BertConfig keys; {@link dev.exprbert.model.distilbert.DistilBertConfig} for DistilBERT's {@code dim},
 * {@code n_layers}...), so a saved directory reloads in transformers unchanged. Implementations are immutable and
 * validated when built.
 *
 * <p>Labels: {@code labels().get(i)} is {@code id2label[i]}; ids are always 0..numLabels-1, because they index the
 * classifier's logits.
 */
public interface EncoderConfig {

  /** The family this config belongs to (it builds the modules, names the weights, loads checkpoints). */
  ModelFamily family();

  /** config.json's {@code model_type}. */
  default String modelType() {
    return family().modelType();
  }

  int vocabSize();

  int hiddenSize();

  int numHiddenLayers();

  int numAttentionHeads();

  /** hiddenSize / numAttentionHeads (exact; validated). */
  default int headDim() {
    return hiddenSize() / numAttentionHeads();
  }

  int intermediateSize();

  HiddenActivation hiddenAct();

  /** The rows of the position-embedding table ({@code max_position_embeddings}). */
  int maxPositionEmbeddings();

  /**
   * The most tokens one sequence may hold, special tokens included: {@code max_position_embeddings}, less the
   * positions a family never uses (RoBERTa's ids start at padding_idx + 1, so 514 positions hold 512 tokens).
   */
  default int maxSequenceLength() {
    return maxPositionEmbeddings();
  }

  double hiddenDropoutProb();

  double attentionProbsDropoutProb();

  /** The dropout before the classifier (each family's own rule: classifier_dropout, hidden_dropout_prob, dropout). */
  double effectiveClassifierDropout();

  double initializerRange();

  /** May be null (transformers allows pad_token_id: null). */
  Integer padTokenId();

  /** id2label as a list: labels().get(id). */
  List<String> labels();

  default int numLabels() {
    return labels().size();
  }

  /** id2label with integer keys, in id order. */
  default Map<Integer, String> id2label() {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (int i = 0; i < labels().size(); i++) {
      out.put(i, labels().get(i));
    }
    return Collections.unmodifiableMap(out);
  }

  /** label2id, the inverse of id2label, in id order. */
  default Map<String, Integer> label2id() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < labels().size(); i++) {
      out.put(labels().get(i), i);
    }
    return Collections.unmodifiableMap(out);
  }

  /** The architectures list read from config.json, or null when it had none. */
  List<String> architectures();

  /** A copy with new labels (id i = labels[i]); every other field, unknown keys included, is kept. */
  EncoderConfig withLabels(List<String> labels);

  /** The config.json text of a token classifier of this family (what {@code save_pretrained} writes). */
  String toJson();

  /**
   * The config.json text of the bare encoder ({@code BertModel}, {@code RobertaModel}...): no label maps, as the
   * base model's {@code save_pretrained} writes it. Only a config with the default labels LABEL_0, LABEL_1 has one.
   */
  String toBaseModelJson();

  /** Writes {@link #toJson()}, atomically. */
  default void write(Path file) throws IOException {
    AtomicFiles.writeString(file, toJson());
  }

  /** Writes {@link #toBaseModelJson()}, atomically. */
  default void writeBaseModel(Path file) throws IOException {
    AtomicFiles.writeString(file, toBaseModelJson());
  }

  /** Reads a config.json of any supported family ({@link ModelConfigs#read}). */
  static EncoderConfig read(Path file) throws IOException {
    return ModelConfigs.read(file);
  }
}
