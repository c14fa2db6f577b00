package dev.exprbert.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Runs an exported file in ONNX Runtime and the model directory in ExprBERT on the same padded batch of real sentences. */
final class OnnxParity {
  static final Path OPENER_DEV = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "dev.conll");

  /** The largest |ONNX Runtime - ExprBERT| over every logit of the batch, and where it was. */
  record Result(double maxError, String where, int sentences, int paddedLength) {}

  private OnnxParity() {}

  /** {@code count} OpeNER_en dev sentences, every {@code step}-th one, so lengths vary. */
  static List<List<String>> openerSentences(int count, int step) {
    List<LabeledSentence> all = SentenceReaders.readAll(OPENER_DEV, ReaderOptions.DEFAULTS);
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < all.size() && out.size() < count; i += step) {
      out.add(all.get(i).words());
    }
    return out;
  }

  /**
   * Compares the logits of {@code onnx} (run by ONNX Runtime) with those of the model in {@code modelDir} (eager
   * attention, float32) on {@code sentences} padded to {@code paddedLength} (or the longest sentence, when 0).
   */
  static Result compare(Path modelDir, Path onnx, List<List<String>> sentences, int paddedLength) throws IOException, OrtException {
    try (TokenClassifier classifier = TokenClassifier.load(modelDir, Placement.CPU_FLOAT32, "eager")) {
      SubwordAligner aligner = new SubwordAligner(classifier.tokenizer(), null, false);
      List<AlignedSentence> aligned = new ArrayList<>();
      int longest = 0;
      for (List<String> words : sentences) {
        AlignedSentence a = aligner.align(words);
        aligned.add(a);
        longest = Math.max(longest, a.length());
      }
      int seq = paddedLength > 0 ? paddedLength : longest;
      int batch = aligned.size();
      long pad = classifier.tokenizer().padTokenId();
      long[][] ids = new long[batch][seq];
      long[][] mask = new long[batch][seq];
      long[][] types = new long[batch][seq];
      for (int b = 0; b < batch; b++) {
        java.util.Arrays.fill(ids[b], pad);
        AlignedSentence a = aligned.get(b);
        System.arraycopy(a.inputIds(), 0, ids[b], 0, a.length());
        System.arraycopy(a.attentionMask(), 0, mask[b], 0, a.length());
        System.arraycopy(a.tokenTypeIds(), 0, types[b], 0, a.length());
      }
      float[] ours;
      try (Tensor idsT = Tensors.longs(flat(ids), batch, seq); Tensor maskT = Tensors.longs(flat(mask), batch, seq);
          Tensor typesT = Tensors.longs(flat(types), batch, seq);
          Tensor logits = classifier.model().logits(idsT, maskT, typesT)) {
        ours = Tensors.toFloatArray(logits);
      }
      float[][][] theirs = run(onnx, ids, mask, types);
      int labels = classifier.config().numLabels();
      double max = 0;
      String where = "";
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < seq; s++) {
          for (int l = 0; l < labels; l++) {
            double err = Math.abs(theirs[b][s][l] - ours[(b * seq + s) * labels + l]);
            if (err > max || Double.isNaN(err)) {
              max = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
              where = "[" + b + "," + s + "," + l + "] onnxruntime=" + theirs[b][s][l] + " exprbert=" + ours[(b * seq + s) * labels + l];
            }
          }
        }
      }
      return new Result(max, where, batch, seq);
    }
  }

  static float[][][] run(Path onnx, long[][] ids, long[][] mask, long[][] types) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
        OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
        OnnxTensor typesT = OnnxTensor.createTensor(env, types);
        OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
      return (float[][][]) result.get("logits").orElseThrow().getValue();
    }
  }

  private static long[] flat(long[][] rows) {
    long[] out = new long[rows.length * rows[0].length];
    for (int b = 0; b < rows.length; b++) {
      System.arraycopy(rows[b], 0, out, b * rows[0].length, rows[b].length);
    }
    return out;
  }
}
