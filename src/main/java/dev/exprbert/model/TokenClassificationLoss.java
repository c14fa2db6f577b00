package dev.exprbert.model;

import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Cross-entropy over token positions, ignoring label -100 (Hugging Face's
 * {@code CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))}), computed in float32
 * whatever the logits' precision. The static {@link #mean} and {@link #sum} are the plain loss; an instance adds
 * class weights and label smoothing exactly as PyTorch's
 * {@code cross_entropy(weight=w, label_smoothing=eps, ignore_index=-100)} computes them, with C labels:
 * <pre>
 *   per labelled position i:  l_i = (1 - eps) * w[y_i] * -log p_i[y_i]  +  eps / C * sum_c w[c] * -log p_i[c]
 *   summed = sum_i l_i        mean = summed / sum_i w[y_i]
 * </pre>
 * The smoothing term is weighted by every class's weight, and the mean divides by the weights of the targets (not the
 * position count). Gradient accumulation divides {@link #summed} of each micro-batch by {@link #denominator} of the
 * whole update (sum of {@code w[y_i]} over its labelled positions; their count without weights), so an update over
 * several micro-batches equals {@code mean} over them as one batch. Hugging Face's {@code LabelSmoother} is the
 * unweighted case of the same formula.
 */
public final class TokenClassificationLoss {
  /** Label id of positions that carry no label (special tokens, continuation sub-tokens, padding). */
  public static final long IGNORE_INDEX = -100;

  /** No class weights, no smoothing: {@link #mean} and {@link #sum}. */
  public static final TokenClassificationLoss PLAIN = new TokenClassificationLoss(null, 0.0);

  // at::Reduction
  private static final long REDUCTION_SUM = 2;
  private static final long REDUCTION_MEAN = 1;

  private final float[] classWeights; // [num_labels], or null for all 1
  private final double labelSmoothing;

  /**
   * @param classWeights one weight per label id (finite, >= 0, not all 0), or null for none
   * @param labelSmoothing epsilon in [0, 1]
   */
  public TokenClassificationLoss(double[] classWeights, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1], found " + labelSmoothing);
    }
    this.labelSmoothing = labelSmoothing;
    if (classWeights == null) {
      this.classWeights = null;
      return;
    }
    this.classWeights = new float[classWeights.length];
    boolean anyPositive = false;
    for (int c = 0; c < classWeights.length; c++) {
      double w = classWeights[c];
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("class weight " + c + " must be a finite number >= 0, found " + w);
      }
      anyPositive |= w > 0;
      this.classWeights[c] = (float) w; // PyTorch's weight tensor is float32 like the loss
    }
    if (!anyPositive) {
      throw new IllegalArgumentException("class weights are all 0: no position would count");
    }
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  /** The class weights as the loss uses them (float32 values), or null. */
  public double[] classWeights() {
    if (classWeights == null) {
      return null;
    }
    double[] copy = new double[classWeights.length];
    for (int c = 0; c < copy.length; c++) {
      copy[c] = classWeights[c];
    }
    return copy;
  }

  /**
   * The summed loss over labelled positions (the formula in the class comment): logits [batch, seq, C] or packed
   * [total_tokens, C], labels of the same leading shape; a 0-dim float32 tensor on the logits' device.
   */
  public Tensor summed(Tensor logits, Tensor labels) {
    if (classWeights != null && logits.dim() >= 2 && logits.size(logits.dim() - 1) != classWeights.length) {
      throw new IllegalArgumentException(classWeights.length + " class weights for logits of "
          + logits.size(logits.dim() - 1) + " labels");
    }
    return crossEntropy(logits, labels, REDUCTION_SUM, classWeights, labelSmoothing);
  }

  /** How many counts {@link #count} keeps: one per class with class weights, else one (the labelled tokens). */
  public int countSlots() {
    return classWeights == null ? 1 : classWeights.length;
  }

  /**
   * Adds {@code labelIds}' labelled positions to {@code counts} from {@code offset} on ({@link #countSlots} of them):
   * per target class with class weights, else their number. Counts add across micro-batches and ranks exactly, and
   * {@link #denominator(long[], int)} turns the total into the mean's divisor.
   */
  public void count(long[] labelIds, long[] counts, int offset) {
    for (long id : labelIds) {
      if (id == IGNORE_INDEX) {
        continue;
      }
      if (classWeights == null) {
        counts[offset]++;
      } else {
        checkClass(id);
        counts[offset + (int) id]++;
      }
    }
  }

  /** The mean's divisor for the counts {@link #count} kept: the sum of the target classes' weights, or the count. */
  public double denominator(long[] counts, int offset) {
    if (classWeights == null) {
      return counts[offset];
    }
    double total = 0;
    for (int c = 0; c < classWeights.length; c++) {
      total += counts[offset + c] * classWeights[c];
    }
    return total;
  }

  /**
   * What {@link #summed} is divided by for the mean, computed on the host from the label ids: the sum of the
   * target classes' weights over labelled positions, or their count without weights.
   */
  public double denominator(long[] labelIds) {
    double total = 0;
    for (long id : labelIds) {
      if (id == IGNORE_INDEX) {
        continue;
      }
      if (classWeights == null) {
        total += 1;
      } else {
        checkClass(id);
        total += classWeights[(int) id];
      }
    }
    return total;
  }

  /**
   * Mean over labelled positions: logits [batch, seq, C] with labels [batch, seq] int64, or a packed batch's
   * logits [total_tokens, C] with labels [total_tokens]; a 0-dim float32 tensor. Padding carries -100, so a
   * padded batch and its packed form give the same value (same labelled-token count).
   */
  public static Tensor mean(Tensor logits, Tensor labels) {
    return crossEntropy(logits, labels, REDUCTION_MEAN, null, 0.0);
  }

  /**
   * Sum over labelled positions. Gradient accumulation divides it by the labelled-token count of all
   * accumulated batches, as Hugging Face's Trainer does since its late-2024 loss fix.
   */
  public static Tensor sum(Tensor logits, Tensor labels) {
    return crossEntropy(logits, labels, REDUCTION_SUM, null, 0.0);
  }

  /** Label ids must be -100 or in [0, numLabels); LibTorch would otherwise fail deep inside the kernel. */
  private static void checkLabelRange(Tensor labels, long numLabels) {
    for (long id : Tensors.toLongArray(labels)) {
      if (id != IGNORE_INDEX && (id < 0 || id >= numLabels)) {
        throw new IllegalArgumentException("label id " + id + " is outside the model's " + numLabels
            + " labels (valid: 0.." + (numLabels - 1) + ", or -100 for ignored positions)");
      }
    }
  }

  private static Tensor crossEntropy(Tensor logits, Tensor labels, long reduction, float[] weights, double smoothing) {
    if (logits.dim() == 2) {
      if (labels.dim() != 1 || labels.size(0) != logits.size(0)) {
        throw new IllegalArgumentException("labels of packed logits [total_tokens, num_labels] must be [total_tokens] = ["
            + logits.size(0) + "], got shape " + Tensors.shapeString(labels));
      }
    } else if (logits.dim() == 3) {
      if (labels.dim() != 2 || labels.size(0) != logits.size(0) || labels.size(1) != logits.size(1)) {
        throw new IllegalArgumentException("labels must be [batch, seq] = [" + logits.size(0) + ", " + logits.size(1)
            + "] like the logits, got shape " + Tensors.shapeString(labels));
      }
    } else {
      throw new IllegalArgumentException("logits must be [batch, seq, num_labels] or packed [total_tokens, num_labels],"
          + " got " + logits.dim() + " dims");
    }
    long numLabels = logits.size(logits.dim() - 1);
    if (!labels.is_cuda()) {
      checkLabelRange(labels, numLabels); // on a GPU this would cost a host sync every step
    }
    try (Device device = logits.device();
        Tensor labelsOnDevice = dev.exprbert.runtime.Tensors.toDevice(labels, device, torch.ScalarType.Long);
        Tensor flatLabels = labelsOnDevice.reshape(-1);
        Tensor logits32 = logits.to(torch.ScalarType.Float);
        Tensor flatLogits = logits32.reshape(-1, numLabels);
        Tensor weightsOnHost = weights == null ? null : Tensors.floats(weights, weights.length);
        Tensor weightsOnDevice = weights == null ? null : weightsOnHost.to(device, torch.ScalarType.Float);
        TensorOptional weight = weights == null ? new TensorOptional() : new TensorOptional(weightsOnDevice)) {
      return torch.cross_entropy_loss(flatLogits, flatLabels, weight, reduction, IGNORE_INDEX, smoothing);
    }
  }

  private void checkClass(long id) {
    if (id < 0 || id >= classWeights.length) {
      throw new IllegalArgumentException("label id " + id + " is outside the " + classWeights.length
          + " class weights (valid: 0.." + (classWeights.length - 1) + ", or -100 for ignored positions)");
    }
  }
}
