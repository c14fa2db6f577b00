package dev.exprbert.export;

/**
 * The default-domain opsets the exporter writes, and the IR version each needs.
 *
 * <p>13 is the floor because from there {@code Unsqueeze} takes its axes as an input and {@code Softmax} works on
 * one axis, the forms the graph uses; from 17 LayerNorm is the {@code LayerNormalization} op, below it the
 * {@code ReduceMean/Sub/Pow/Sqrt/Div} chain torch.onnx writes. The IR version is the lowest one that carries the
 * opset (the ONNX release table), so older runtimes that know the opset can also read the file.
 */
final class OnnxOpsets {
  static final int MIN = 13;
  static final int MAX = 21;
  static final int DEFAULT = 17;
  /** The first opset with the LayerNormalization op. */
  static final int LAYER_NORMALIZATION = 17;

  private OnnxOpsets() {}

  static void check(int opset) {
    if (opset < MIN || opset > MAX) {
      throw new IllegalArgumentException("--opset " + opset + " is not supported; expected " + MIN + " to " + MAX
          + " (default " + DEFAULT + ")");
    }
  }

  /** ONNX 1.8-1.9: IR 7 (opsets 13-14); 1.10-1.12: IR 8 (15-17); 1.13-1.14: IR 9 (18-19); 1.15-1.16: IR 10 (20-21). */
  static int irVersion(int opset) {
    check(opset);
    if (opset <= 14) {
      return 7;
    }
    if (opset <= 17) {
      return 8;
    }
    return opset <= 19 ? 9 : 10;
  }
}
