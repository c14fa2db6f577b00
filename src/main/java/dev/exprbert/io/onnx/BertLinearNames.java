package dev.exprbert.io.onnx;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the node name of a weight MatMul in a PyTorch ONNX export to the HF weight it multiplies by.
 *
 * <p>[note: MatMul weights] torch.onnx stores {@code nn.Linear} weights pre-transposed ({@code [in,
 * out]}) under generated names such as {@code onnx::MatMul_787}; only the node name, which follows
 * the module path ({@code /encoder/layer.0/attention/self/query/MatMul}), says which layer it is.
 */
final class BertLinearNames {
  /** A {@code bert/} scope appears when the export came from a task model (BertFor...). */
  private static final Pattern LINEAR = Pattern.compile(
      "^/(?:bert/)?((?:encoder/layer\\.\\d+/(?:attention/self/(?:query|key|value)|attention/output/dense|intermediate/dense"
          + "|output/dense))|pooler/dense)/MatMul$");

  static final String EXPECTED_FORMS = "/encoder/layer.N/attention/self/{query,key,value}/MatMul, /encoder/layer.N/attention/output/dense/MatMul,"
      + " /encoder/layer.N/intermediate/dense/MatMul, /encoder/layer.N/output/dense/MatMul or /pooler/dense/MatMul"
      + " (optionally under /bert)";

  private BertLinearNames() {}

  /** {@code encoder.layer.0.attention.self.query.weight} for {@code /encoder/layer.0/attention/self/query/MatMul}. */
  static Optional<String> weightName(String matMulNodeName) {
    Matcher m = LINEAR.matcher(matMulNodeName);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(m.group(1).replace('/', '.') + ".weight");
  }

  /** Drops a {@code bert.} prefix so task-model exports land on bare BertModel names. */
  static String stripTaskPrefix(String initializerName) {
    return initializerName.startsWith("bert.") ? initializerName.substring("bert.".length()) : initializerName;
  }
}
