package benchmarks.serving;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.exprbert.data.AlignedSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.infer.WindowScorer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The baseline's model: the exported ONNX file in ONNX Runtime (CPU execution provider, all graph optimizations,
 * {@code threads} intra-op threads), fed the way a padded runtime must be: the batch padded to its longest window,
 * {@code attention_mask} 0 on the padding. Probabilities go through {@link TokenClassifier#softmax}, as ExprBERT's
 * own logits do, padding rows left out.
 */
final class OrtPaddedScorer implements WindowScorer, AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final long padId;

  OrtPaddedScorer(Path onnx, int threads, long padId) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    this.session = env.createSession(onnx.toString(), options);
    this.padId = padId;
  }

  @Override
  public List<float[][]> tokenProbabilities(List<AlignedSentence> windows) {
    int batch = windows.size();
    int seq = windows.stream().mapToInt(AlignedSentence::length).max().orElse(0);
    long[] ids = new long[batch * seq];
    long[] mask = new long[batch * seq];
    long[] types = new long[batch * seq];
    java.util.Arrays.fill(ids, padId);
    for (int b = 0; b < batch; b++) {
      AlignedSentence w = windows.get(b);
      System.arraycopy(w.inputIds(), 0, ids, b * seq, w.length());
      System.arraycopy(w.attentionMask(), 0, mask, b * seq, w.length());
      System.arraycopy(w.tokenTypeIds(), 0, types, b * seq, w.length());
    }
    long[] shape = {batch, seq};
    try (OnnxTensor idsT = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
        OnnxTensor maskT = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
        OnnxTensor typesT = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
        OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
      OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
      long[] out = logits.getInfo().getShape();
      int labels = (int) out[2];
      float[] flat = new float[batch * seq * labels];
      logits.getFloatBuffer().get(flat);
      List<float[][]> probabilities = new ArrayList<>(batch);
      for (int b = 0; b < batch; b++) {
        float[][] rows = new float[windows.get(b).length()][];
        for (int t = 0; t < rows.length; t++) {
          rows[t] = TokenClassifier.softmax(flat, (b * seq + t) * labels, labels);
        }
        probabilities.add(rows);
      }
      return probabilities;
    } catch (OrtException e) {
      throw new IllegalStateException("onnxruntime failed on a batch of " + batch + " x " + seq + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
