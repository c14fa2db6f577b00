package dev.exprbert.io.onnx;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * A BERT encoder read from ONNX: float32 CPU weights under Hugging Face {@code BertModel} names in
 * state_dict order (Linear weights {@code [out, in]}), and the architecture the graph showed.
 * It owns the tensors: {@link #close()} frees them.
 *
 * @param weights {@link BertEncoderLayout} names to tensors, {@code pooler.dense.*} only if the export had a pooler
 * @param hiddenAct HF {@code hidden_act}: {@code gelu} (erf), {@code gelu_new} (tanh approximation) or {@code relu}
 */
public record ImportedEncoder(
    LinkedHashMap<String, Tensor> weights,
    int vocabSize,
    int hiddenSize,
    int numLayers,
    int numHeads,
    int intermediateSize,
    int maxPositions,
    int typeVocabSize,
    double layerNormEps,
    String hiddenAct)
    implements AutoCloseable {

  public boolean hasPooler() {
    return weights.containsKey("pooler.dense.weight");
  }

  /**
   * Checks that a tokenizer fits the embedding table: {@code tokenizerVocabSize} must equal
   * {@link #vocabSize()}. A bigger tokenizer produces ids past the table's last row; a smaller one
   * almost always means the tokenizer of another model was picked up.
   *
   * @param tokenizerSource where the tokenizer came from, for the message (e.g. its tokenizer.json path)
   */
  public void checkTokenizerVocabulary(int tokenizerVocabSize, String tokenizerSource) {
    if (tokenizerVocabSize != vocabSize) {
      throw new IllegalArgumentException("tokenizer " + tokenizerSource + " has " + tokenizerVocabSize
          + " token ids but the encoder's embeddings.word_embeddings.weight has " + vocabSize + " rows; expected them to be equal"
          + (tokenizerVocabSize > vocabSize ? " (ids >= " + vocabSize + " would index past the embedding table)"
              : " (is this the tokenizer of another model?)"));
    }
  }

  @Override
  public void close() {
    for (Map.Entry<String, Tensor> e : weights.entrySet()) {
      e.getValue().close();
    }
  }
}
