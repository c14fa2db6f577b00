package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;

/** What turns the encoder's last hidden states into per-token logits. */
public interface TokenClassificationHead {

  /** hidden [..., hidden] -> logits [..., num_labels]; the caller owns the result. */
  Tensor forward(Tensor hidden, boolean training);
}
