package dev.exprbert.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.exprbert.io.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertFamily;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.model.crf.TransitionConstraints;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code export-onnx}: a token-classifier model directory to one self-contained {@code .onnx} file.
 *
 * <p>The weights go through the same loading as {@code predict} ({@link CheckpointLoader}: {@code bert.} prefix,
 * TF-era names), in float32, so the file computes what the model computes. A checkpoint that lacks any tensor
 * (a base encoder without a trained classifier, say) is refused: {@code predict} would run a freshly initialised
 * head there, which an export must not freeze into a file. The labels travel in the model's
 * {@code metadata_props} as {@code id2label} (config.json's JSON object), where {@code convert} reads them back.
 *
 * <p>A model with a CRF head ({@code "use_crf": true}) is exported as its emission model: the graph computes the
 * logits, which are the CRF's emissions, and the CRF's scores travel as metadata ({@code use_crf},
 * {@code crf_label_all_tokens}, and {@code crf.transitions}, {@code crf.start_transitions}, {@code crf.end_transitions}
 * as JSON arrays) for a consumer to decode with Viterbi; {@link Summary#warning} says that an argmax over the logits
 * is not the model's prediction.
 */
public final class OnnxExport {
  /** Protobuf messages stop at 2 GiB; the graph's nodes and metadata need a little room beside the weights. */
  static final long MAX_WEIGHT_BYTES = Integer.MAX_VALUE - (64L << 20);
  static final String PRODUCER = "exprbert";
  static final String PRODUCER_VERSION = "0.1.0";

  private OnnxExport() {}

  /**
   * How to write the graph.
   *
   * @param opset the default-domain opset, 13 to 21
   * @param dynamicAxes symbolic {@code batch_size} and {@code sequence_length}; otherwise the fixed shape below
   * @param batch the batch size of a fixed-shape export
   * @param sequence the sequence length of a fixed-shape export, or null for the model's max_position_embeddings
   */
  public record Options(int opset, boolean dynamicAxes, int batch, Integer sequence) {
    public static Options defaults() {
      return new Options(OnnxOpsets.DEFAULT, true, 1, null);
    }
  }

  /**
   * What was written.
   *
   * @param parameters the graph's parameters
   * @param warning what the user must know about the file (a CRF outside the graph), or null
   */
  public record Summary(Path file, int opset, int irVersion, long parameters, long bytes, String shape, List<String> labels,
      String warning) {}

  /** Writes the model in {@code modelDir} to {@code out} (atomically: a temporary file renamed into place). */
  public static Summary export(Path modelDir, Path out, Options options) throws IOException {
    OnnxOpsets.check(options.opset());
    checkOutput(out);
    BertConfig config = readBertConfig(modelDir);
    Integer batch = null;
    Integer sequence = null;
    if (!options.dynamicAxes()) {
      batch = options.batch();
      sequence = options.sequence() != null ? options.sequence() : config.maxPositionEmbeddings();
      if (batch < 1 || sequence < 1 || sequence > config.maxPositionEmbeddings()) {
        throw new IllegalArgumentException("a fixed-shape export needs batch >= 1 and 1 <= sequence <= max_position_embeddings "
            + config.maxPositionEmbeddings() + "; got batch " + batch + ", sequence " + sequence);
      }
    }
    Natives.init();
    Map<String, Tensor> checkpoint = ModelDirectory.readWeights(modelDir);
    CheckpointLoader.Loaded loaded;
    try {
      // strict: a checkpoint without its classifier (a base encoder) is refused, naming the missing tensors
      loaded = CheckpointLoader.load(config, checkpoint, Placement.CPU_FLOAT32, 42, false, modelDir.toString());
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
    try (var weights = loaded.weights(); NoGradGuard noGrad = new NoGradGuard()) {
      BertOnnxGraph builder = new BertOnnxGraph(config, weights.asMap(), options.opset());
      GraphProto graph = builder.build(batch, sequence);
      if (builder.weightBytes() > MAX_WEIGHT_BYTES) {
        throw new IllegalArgumentException(modelDir + " holds " + builder.weightBytes() + " bytes of float32 weights; one ONNX file"
            + " holds at most " + MAX_WEIGHT_BYTES + " (protobuf's 2 GiB limit), and external data files are not written");
      }
      ModelProto.Builder proto = ModelProto.newBuilder()
          .setIrVersion(OnnxOpsets.irVersion(options.opset()))
          .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
          .setProducerName(PRODUCER).setProducerVersion(PRODUCER_VERSION)
          .setDocString(BertFamily.BERT.tokenClassificationClass() + " (" + config.numLabels()
              + " labels) exported by exprbert export-onnx")
          .addMetadataProps(entry("model_type", config.modelType()))
          .addMetadataProps(entry("architecture", BertFamily.BERT.tokenClassificationClass()))
          .addMetadataProps(entry("id2label", id2label(config.labels())))
          .setGraph(graph);
      CrfSettings crf = CrfSettings.of(config);
      long crfParameters = 0;
      String warning = null;
      if (crf.enabled()) {
        proto.addMetadataProps(entry(CrfSettings.USE_CRF, "true"))
            .addMetadataProps(entry(CrfSettings.LABEL_ALL_TOKENS, Boolean.toString(crf.everySubToken())));
        for (String name : List.of(LinearChainCrf.TRANSITIONS, LinearChainCrf.START, LinearChainCrf.END)) {
          Tensor scores = weights.get(name);
          proto.addMetadataProps(entry(name, jsonArray(scores)));
          crfParameters += scores.numel();
        }
        warning = modelDir + " has a CRF head: the ONNX graph computes its emissions (the logits) only, and an argmax"
            + " over them is not the model's prediction; decode them with Viterbi using the crf.* scores in the file's"
            + " metadata (or model.safetensors) and the " + TransitionConstraints.forLabels(config.labels()).scheme()
            + " constraints of id2label";
      }
      ModelProto model = proto.build();
      AtomicFiles.write(out, channel -> {
        OutputStream stream = Channels.newOutputStream(channel); // closing it would close the channel
        model.writeTo(stream);
        stream.flush();
      });
      String shape = options.dynamicAxes() ? "[batch_size, sequence_length]" : "[" + batch + ", " + sequence + "]";
      return new Summary(out, options.opset(), OnnxOpsets.irVersion(options.opset()),
          weights.parameterCount() - crfParameters, Files.size(out), shape, config.labels(), warning);
    }
  }

  /**
   * config.json of a BERT model; other families are refused, since the graph spells BERT's modules and position ids
   * (RoBERTa's ids from the input ids, ELECTRA's projection and DistilBERT's names would each need their own graph).
   */
  private static BertConfig readBertConfig(Path modelDir) throws IOException {
    if (!Files.isDirectory(modelDir)) {
      throw new NoSuchFileException(modelDir.toString(), null, "--model: no such model directory");
    }
    EncoderConfig config = ModelDirectory.readConfig(modelDir);
    if (config.family() != BertFamily.BERT || !(config instanceof BertConfig bert)) {
      throw new IllegalArgumentException(modelDir.resolve(ModelDirectory.CONFIG) + ": model_type \"" + config.modelType()
          + "\" (" + config.family().tokenClassificationClass() + ") cannot be exported; export-onnx writes \""
          + BertFamily.BERT.modelType() + "\" graphs only (BertForTokenClassification)");
    }
    return bert;
  }

  private static void checkOutput(Path out) {
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a directory; expected a file path such as model.onnx");
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("--out " + out + ": the folder " + parent + " does not exist");
    }
  }

  private static String id2label(List<String> labels) {
    JsonObject map = new JsonObject();
    for (int i = 0; i < labels.size(); i++) {
      map.addProperty(Integer.toString(i), labels.get(i));
    }
    return map.toString();
  }

  /** A tensor's values as JSON: a list for one dimension, a list of rows for two. */
  private static String jsonArray(Tensor t) {
    float[] values = Tensors.toFloatArray(t);
    int columns = (int) t.size(t.dim() - 1);
    JsonArray rows = new JsonArray();
    for (int r = 0; r < values.length / columns; r++) {
      JsonArray row = new JsonArray();
      for (int c = 0; c < columns; c++) {
        row.add(values[r * columns + c]);
      }
      rows.add(row);
    }
    return (t.dim() == 1 ? rows.get(0) : rows).toString();
  }

  private static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
