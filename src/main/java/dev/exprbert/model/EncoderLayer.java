package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;

/** One encoder layer: hidden states in, hidden states of the same shape out (padded or packed). */
public interface EncoderLayer {

  /** @return a new tensor the caller owns; {@code x} stays the caller's */
  Tensor forward(Tensor x, EncoderRun run);
}
