package dev.exprbert.io.onnx;

import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * BertModel's last hidden state written out with plain LibTorch ops, straight from
 * modeling_bert.py (embeddings + LayerNorm, post-LN layers, additive attention mask, exact GELU).
 * It is the test's own forward, independent of the project's model classes, so that agreement
 * with onnxruntime on the original file checks the imported weights and architecture.
 */
public final class ReferenceBertForward {
  private ReferenceBertForward() {}

  /** Returns last_hidden_state as [batch][seq][hidden]. */
  @SuppressWarnings("try") // the scope frees every temporary tensor on exit; the body never names it
  public static float[][][] lastHiddenState(ImportedEncoder enc, long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    if (!enc.hiddenAct().equals("gelu")) {
      throw new IllegalArgumentException("this reference implements hidden_act gelu (erf) only; got " + enc.hiddenAct());
    }
    int batch = inputIds.length;
    int seq = inputIds[0].length;
    int hidden = enc.hiddenSize();
    int heads = enc.numHeads();
    int headSize = hidden / heads;
    Map<String, Tensor> w = enc.weights();
    try (PointerScope scope = new PointerScope()) {
      Tensor ids = longTensor(inputIds);
      Tensor types = longTensor(tokenTypeIds);
      Tensor mask = longTensor(attentionMask);
      Tensor positions = torch.arange(new Scalar(seq)).unsqueeze(0);
      Tensor x = torch.embedding(w.get("embeddings.word_embeddings.weight"), ids)
          .add(torch.embedding(w.get("embeddings.token_type_embeddings.weight"), types))
          .add(torch.embedding(w.get("embeddings.position_embeddings.weight"), positions));
      x = layerNorm(x, w, "embeddings.LayerNorm", enc.layerNormEps(), hidden);
      // HF get_extended_attention_mask: (1 - mask) * finfo(float32).min, broadcast over heads and queries.
      Tensor additiveMask = torch.ones_like(mask).sub(mask).to(ScalarType.Float)
          .mul(new Scalar(-Float.MAX_VALUE)).reshape(batch, 1, 1, seq);
      for (int i = 0; i < enc.numLayers(); i++) {
        String l = "encoder.layer." + i + ".";
        Tensor q = splitHeads(linear(x, w, l + "attention.self.query"), batch, seq, heads, headSize);
        Tensor k = splitHeads(linear(x, w, l + "attention.self.key"), batch, seq, heads, headSize);
        Tensor v = splitHeads(linear(x, w, l + "attention.self.value"), batch, seq, heads, headSize);
        Tensor scores = q.matmul(k.transpose(-1, -2)).div(new Scalar(Math.sqrt(headSize))).add(additiveMask);
        Tensor context = scores.softmax(-1).matmul(v).permute(0, 2, 1, 3).reshape(batch, seq, hidden);
        Tensor attention = layerNorm(linear(context, w, l + "attention.output.dense").add(x), w, l + "attention.output.LayerNorm",
            enc.layerNormEps(), hidden);
        Tensor intermediate = torch.gelu(linear(attention, w, l + "intermediate.dense"));
        x = layerNorm(linear(intermediate, w, l + "output.dense").add(attention), w, l + "output.LayerNorm", enc.layerNormEps(),
            hidden);
      }
      return toArray(x.contiguous(), batch, seq, hidden);
    }
  }

  private static Tensor linear(Tensor x, Map<String, Tensor> w, String module) {
    return torch.linear(x, w.get(module + ".weight"), new TensorOptional(w.get(module + ".bias")));
  }

  private static Tensor layerNorm(Tensor x, Map<String, Tensor> w, String module, double eps, int hidden) {
    // [note: ArrayRef lifetime] new LongArrayRef(long[], n) points at a temporary copy that JavaCPP frees
    // when the constructor returns (normalized_shape then reads garbage); a LongPointer owns its memory.
    LongPointer shape = new LongPointer(1).put(0, hidden);
    return torch.layer_norm(x, new LongArrayRef(shape, 1), new TensorOptional(w.get(module + ".weight")),
        new TensorOptional(w.get(module + ".bias")), eps, false);
  }

  private static Tensor splitHeads(Tensor x, int batch, int seq, int heads, int headSize) {
    return x.reshape(batch, seq, heads, headSize).permute(0, 2, 1, 3);
  }

  private static Tensor longTensor(long[][] rows) {
    int b = rows.length;
    int s = rows[0].length;
    Tensor t = torch.empty(new long[] {b, s}, new TensorOptions(ScalarType.Long), new MemoryFormatOptional());
    LongPointer dst = new LongPointer(t.data_ptr()).capacity((long) b * s);
    for (int i = 0; i < b; i++) {
      dst.position((long) i * s).put(rows[i], 0, s);
    }
    return t;
  }

  private static float[][][] toArray(Tensor t, int batch, int seq, int hidden) {
    FloatPointer src = new FloatPointer(t.data_ptr()).capacity((long) batch * seq * hidden);
    float[][][] out = new float[batch][seq][hidden];
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s < seq; s++) {
        src.position(((long) b * seq + s) * hidden).get(out[b][s], 0, hidden);
      }
    }
    return out;
  }
}
