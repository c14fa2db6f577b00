package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionWindow;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * One forward pass as every module sees it: the attention backend and mask, train mode, and the layer-wise tape
 * (null when no gradient is wanted). It owns the layer-wise backward hookup, so every family cuts its graph the same
 * way: {@link #layers} starts a new autograd segment at every layer's input, and the classifier head gets its own;
 * each segment carries the gradient mark of its module ({@link #mark}).
 */
public final class EncoderRun {
  private final AttentionMask mask;
  private final AttentionBackend attention;
  private final boolean training;
  private final LayerwiseBackward tape;

  EncoderRun(AttentionMask mask, AttentionBackend attention, boolean training, LayerwiseBackward tape) {
    this.mask = mask;
    this.attention = attention;
    this.training = training;
    this.tape = tape;
  }

  public AttentionMask mask() {
    return mask;
  }

  public boolean training() {
    return training;
  }

  /**
   * {@code softmax(q k^T / sqrt(head_dim) + mask) v} through the chosen backend ([note: attention layout] in
   * {@link AttentionBackend}: q, k, v {@code [..., heads, head_dim]}); the caller owns the context.
   */
  public Tensor attend(Tensor q, Tensor k, Tensor v, double dropout) {
    return attention.attend(q, k, v, mask, dropout, training, tape);
  }

  /**
   * {@code softmax(q k^T * scale + bias) v} through the chosen backend, with an additive score term the family
   * computed and masked itself ({@link AttentionBackend#attendWithBias}: DeBERTa's relative positions); the caller
   * owns the context.
   */
  public Tensor attendWithBias(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, double dropout) {
    return attention.attendWithBias(q, k, v, bias, scale, dropout, training, tape);
  }

  /**
   * {@link #attend(Tensor, Tensor, Tensor, double)} where query i sees key j only inside {@code window} (a local
   * layer's sliding window; {@link AttentionWindow#NONE} attends globally); in a packed batch the window never
   * crosses into another sequence.
   */
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionWindow window, double dropout) {
    return attention.attend(q, k, v, mask, window, dropout, training, tape);
  }

  /**
   * Starts a new autograd segment at {@code output} when a tape records this pass (the tape then owns
   * {@code output} and the returned leaf); without a tape it returns {@code output} itself.
   */
  public Tensor boundary(Tensor output) {
    return tape != null ? tape.boundary(output) : output;
  }

  /**
   * A gradient mark for a data-parallel run ({@link EncoderForTokenClassification#backwardGroups}): group
   * {@code group}'s gradients are final once the backward has passed this point. Set right before the module's
   * forward: the head is 0, layer i of L is L - i, what runs before the first layer is L + 1.
   */
  void mark(int group) {
    if (tape != null) {
      tape.mark(group);
    }
  }

  /** Whether a tape owns the tensors handed to {@link #boundary}. */
  public boolean recording() {
    return tape != null;
  }

  /**
   * Runs {@code hidden} through {@code layers}, each from its own segment; consumes {@code hidden} (closes it when
   * no tape owns it) and returns the last layer's output under the same ownership rule as {@link Encoder#forward}.
   */
  public Tensor layers(Tensor hidden, List<? extends EncoderLayer> layers) {
    for (int i = 0; i < layers.size(); i++) {
      EncoderLayer layer = layers.get(i);
      Tensor input = boundary(hidden);
      mark(layers.size() - i); // layer i's gradients are final once everything after this mark has run backward
      Tensor next = layer.forward(input, this);
      if (tape == null) {
        hidden.close(); // with a tape, the tape owns every segment's output and input leaf
      }
      hidden = next;
    }
    return hidden;
  }

  /** The head on its own segment; consumes {@code hidden} like {@link #layers}. The caller owns the logits. */
  Tensor head(Tensor hidden, TokenClassificationHead head) {
    Tensor input = boundary(hidden);
    mark(0);
    try {
      return head.forward(input, training);
    } finally {
      if (tape == null) {
        hidden.close();
      }
    }
  }
}
