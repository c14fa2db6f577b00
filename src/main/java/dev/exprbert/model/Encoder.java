package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A family's encoder, Hugging Face's {@code XxxModel} without its pooler: embeddings, then the layers, giving the last
 * hidden state of every token. Implementations run their layers through {@link EncoderRun#layers}, which cuts the
 * autograd graph between layers for the layer-wise backward, so no family repeats that bookkeeping.
 */
public interface Encoder {

  /**
   * @param input the batch (padded or packed) on the model's device
   * @param run this pass's attention, mask, train mode and tape
   * @return hidden states shaped like the ids plus [hidden]; with a tape, the tape owns it, else the caller
   */
  Tensor forward(EncoderInput input, EncoderRun run);
}
