package dev.exprbert.io.onnx;

import java.util.LinkedHashMap;

/**
 * The parameters of a Hugging Face {@code BertModel} (no {@code bert.} prefix), in the order of its
 * {@code state_dict()}, with their shapes. Linear weights are {@code [out, in]} as in PyTorch.
 */
public final class BertEncoderLayout {
  private BertEncoderLayout() {}

  /** Names mapped to shapes, in HF state_dict order; {@code withPooler} adds {@code pooler.dense.*}. */
  public static LinkedHashMap<String, long[]> parameters(int vocabSize, int hiddenSize, int numLayers, int intermediateSize,
      int maxPositions, int typeVocabSize, boolean withPooler) {
    LinkedHashMap<String, long[]> p = new LinkedHashMap<>();
    long h = hiddenSize;
    p.put("embeddings.word_embeddings.weight", new long[] {vocabSize, h});
    p.put("embeddings.position_embeddings.weight", new long[] {maxPositions, h});
    p.put("embeddings.token_type_embeddings.weight", new long[] {typeVocabSize, h});
    p.put("embeddings.LayerNorm.weight", new long[] {h});
    p.put("embeddings.LayerNorm.bias", new long[] {h});
    for (int i = 0; i < numLayers; i++) {
      String l = "encoder.layer." + i + ".";
      for (String proj : new String[] {"query", "key", "value"}) {
        p.put(l + "attention.self." + proj + ".weight", new long[] {h, h});
        p.put(l + "attention.self." + proj + ".bias", new long[] {h});
      }
      p.put(l + "attention.output.dense.weight", new long[] {h, h});
      p.put(l + "attention.output.dense.bias", new long[] {h});
      p.put(l + "attention.output.LayerNorm.weight", new long[] {h});
      p.put(l + "attention.output.LayerNorm.bias", new long[] {h});
      p.put(l + "intermediate.dense.weight", new long[] {intermediateSize, h});
      p.put(l + "intermediate.dense.bias", new long[] {intermediateSize});
      p.put(l + "output.dense.weight", new long[] {h, intermediateSize});
      p.put(l + "output.dense.bias", new long[] {h});
      p.put(l + "output.LayerNorm.weight", new long[] {h});
      p.put(l + "output.LayerNorm.bias", new long[] {h});
    }
    if (withPooler) {
      p.put("pooler.dense.weight", new long[] {h, h});
      p.put("pooler.dense.bias", new long[] {h});
    }
    return p;
  }
}
