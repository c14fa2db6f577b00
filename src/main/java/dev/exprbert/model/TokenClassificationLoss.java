package dev.exprbert.model;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Cross-entropy over token positions, ignoring label -100 (Hugging Face's
 * {@code CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))}), computed in float32
 * whatever the logits' precision.
 */
public final class TokenClassificationLoss {
  /** Label id of positions that carry no label (special tokens, continuation sub-tokens, padding). */
  public static final long IGNORE_INDEX = -100;

  // at::Reduction
  private static final long REDUCTION_SUM = 2;
  private static final long REDUCTION_MEAN = 1;

  private TokenClassificationLoss() {}

  /**
   * Mean over labelled positions: logits [batch, seq, C] with labels [batch, seq] int64, or a packed batch's
   * logits [total_tokens, C] with labels [total_tokens]; a 0-dim float32 tensor. Padding carries -100, so a
   * padded batch and its packed form give the same value (same labelled-token count).
   */
  public static Tensor mean(Tensor logits, Tensor labels) {
    return crossEntropy(logits, labels, REDUCTION_MEAN);
  }

  /**
   * Sum over labelled positions. Gradient accumulation divides it by the labelled-token count of all
   * accumulated batches, as Hugging Face's Trainer does since its late-2024 loss fix.
   */
  public static Tensor sum(Tensor logits, Tensor labels) {
    return crossEntropy(logits, labels, REDUCTION_SUM);
  }

  /** Label ids must be -100 or in [0, numLabels); LibTorch would otherwise fail deep inside the kernel. */
  private static void checkLabelRange(Tensor labels, long numLabels) {
    for (long id : dev.exprbert.runtime.Tensors.toLongArray(labels)) {
      if (id != IGNORE_INDEX && (id < 0 || id >= numLabels)) {
        throw new IllegalArgumentException("label id " + id + " is outside the model's " + numLabels
            + " labels (valid: 0.." + (numLabels - 1) + ", or -100 for ignored positions)");
      }
    }
  }

  private static Tensor crossEntropy(Tensor logits, Tensor labels, long reduction) {
    if (logits.dim() == 2) {
      if (labels.dim() != 1 || labels.size(0) != logits.size(0)) {
        throw new IllegalArgumentException("labels of packed logits [total_tokens, num_labels] must be [total_tokens] = ["
            + logits.size(0) + "], got shape " + dev.exprbert.runtime.Tensors.shapeString(labels));
      }
    } else if (logits.dim() == 3) {
      if (labels.dim() != 2 || labels.size(0) != logits.size(0) || labels.size(1) != logits.size(1)) {
        throw new IllegalArgumentException("labels must be [batch, seq] = [" + logits.size(0) + ", " + logits.size(1)
            + "] like the logits, got shape " + dev.exprbert.runtime.Tensors.shapeString(labels));
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
        TensorOptional noWeight = new TensorOptional()) {
      return torch.cross_entropy_loss(flatLogits, flatLabels, noWeight, reduction, IGNORE_INDEX, 0.0);
    }
  }
}
