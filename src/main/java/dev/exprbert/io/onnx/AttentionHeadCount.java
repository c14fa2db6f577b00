package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads the number of attention heads off the Reshape that splits heads in each self-attention:
 * {@code [batch, seq, hidden] -> [batch, seq, heads, head_size]}. The target shape is either a
 * constant or (in dynamic-axes exports) a Concat of two runtime sizes and two constants; slot 2 is
 * the head count and slot 3 the head size, either of which may be -1 ("infer").
 */
final class AttentionHeadCount {
  private static final Pattern SELF_ATTENTION = Pattern.compile("^/(?:bert/)?encoder/layer\\.\\d+/attention/self/.*");
  private static final long UNKNOWN = Long.MIN_VALUE;

  private AttentionHeadCount() {}

  /** The head count that every head-splitting Reshape agrees on, or empty if no Reshape shows it. */
  static OptionalInt infer(OnnxGraph graph, int hiddenSize) {
    Map<Long, String> found = new TreeMap<>(); // heads -> first node that showed it
    for (NodeProto node : graph.nodes()) {
      if (!node.getOpType().equals("Reshape") || node.getInputCount() < 2 || !SELF_ATTENTION.matcher(node.getName()).matches()) {
        continue;
      }
      long[] shape = targetShape(graph, node.getInput(1));
      if (shape == null || shape.length != 4) {
        continue; // the head-merging Reshape back to [batch, seq, hidden] has 3 slots
      }
      long heads = shape[2];
      long headSize = shape[3];
      if (heads > 0 && headSize > 0 && heads * headSize != hiddenSize) {
        throw new OnnxImportException("Reshape '" + node.getName() + "' splits hidden size " + hiddenSize + " into " + heads
            + " heads of " + headSize + " (product " + heads * headSize + "); expected heads * head_size = hidden size");
      }
      if (heads <= 0 && headSize > 0 && hiddenSize % headSize == 0) {
        heads = hiddenSize / headSize;
      }
      if (heads > 0) {
        found.putIfAbsent(heads, node.getName());
      }
    }
    if (found.size() > 1) {
      throw new OnnxImportException("attention Reshapes disagree on the head count: " + found + " (heads -> first Reshape)");
    }
    return found.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Math.toIntExact(found.keySet().iterator().next()));
  }

  /** Slot values of a Reshape target, {@link #UNKNOWN} where a slot is computed at run time; null if unreadable. */
  private static long[] targetShape(OnnxGraph graph, String shapeValue) {
    Optional<long[]> constant = graph.constantLongs(shapeValue);
    if (constant.isPresent()) {
      return constant.get();
    }
    Optional<NodeProto> concat = graph.producer(shapeValue).filter(n -> n.getOpType().equals("Concat"));
    if (concat.isEmpty()) {
      return null;
    }
    long[] slots = new long[0];
    for (String part : concat.get().getInputList()) {
      long[] values = graph.constantLongs(part).orElse(new long[] {UNKNOWN}); // runtime parts are one size each
      long[] grown = new long[slots.length + values.length];
      System.arraycopy(slots, 0, grown, 0, slots.length);
      System.arraycopy(values, 0, grown, slots.length, values.length);
      slots = grown;
    }
    return slots;
  }
}
