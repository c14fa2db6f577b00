package dev.exprbert.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Temporary stand-in; replaced by the full config.json reader. */
public record BertConfig(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    String hiddenAct,
    double hiddenDropoutProb,
    double attentionProbsDropoutProb,
    Double classifierDropout,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double initializerRange,
    double layerNormEps,
    int padTokenId,
    List<String> labels) {
  public int numLabels() {
    return labels.size();
  }

  public static BertConfig fromJson(Path file) throws IOException {
    JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    JsonObject id2label = o.getAsJsonObject("id2label");
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < id2label.size(); i++) {
      labels.add(id2label.get(Integer.toString(i)).getAsString());
    }
    return new BertConfig(o.get("vocab_size").getAsInt(), o.get("hidden_size").getAsInt(),
        o.get("num_hidden_layers").getAsInt(), o.get("num_attention_heads").getAsInt(),
        o.get("intermediate_size").getAsInt(), o.get("hidden_act").getAsString(),
        o.get("hidden_dropout_prob").getAsDouble(), o.get("attention_probs_dropout_prob").getAsDouble(), null,
        o.get("max_position_embeddings").getAsInt(), o.get("type_vocab_size").getAsInt(),
        o.get("initializer_range").getAsDouble(), o.get("layer_norm_eps").getAsDouble(), o.get("pad_token_id").getAsInt(),
        labels);
  }
}
