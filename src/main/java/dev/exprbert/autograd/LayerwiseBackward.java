package dev.exprbert.autograd;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The layer-wise backward. The forward pass cuts the autograd graph into segments: each
 * segment starts from a detached leaf copy of the previous segment's output ({@link #boundary}), so
 * the graph of one encoder layer is self-contained. Custom ops (fused attention) add their own steps
 * with {@link #addStep}. {@link #backward} runs {@code loss.backward()} on the last segment, then the
 * recorded steps in reverse: each hands the gradient a leaf received to the segment that produced it.
 *
 * <p>[note: why segments] JavaCPP's bindings cannot define an autograd Function in Java, so a native
 * kernel is a graph boundary. Cutting at every layer keeps each graph piece walked exactly once
 * (O(layers)) and gives later work a place for activation recomputation and for a data-parallel gradient
 * all-reduce of each layer's parameters as soon as that layer's step has run (overlapping the layers below).
 *
 * <p>[note: gradient marks] {@link #mark} records where a group of parameters starts in the forward pass. The
 * backward runs in reverse, so it reaches the mark right after every step recorded later has run: the gradients of
 * the parameters used after the mark are then final. {@link #backward(Tensor, IntConsumer)} reports each mark as it
 * passes it (the data-parallel all-reduce of that group starts there, while the groups below are back-propagated).
 *
 * <p>Owns the tensors it records; {@link #close()} frees them (and so the graph pieces they hold).
 */
public final class LayerwiseBackward implements AutoCloseable {

  /** One unit of backward work, run after every step recorded later in the forward pass. */
  public interface Step extends AutoCloseable {
    void run();

    @Override
    void close();
  }

  private static final ThreadLocal<LayerwiseBackward> RECORDING = new ThreadLocal<>();

  private final Deque<Step> steps = new ArrayDeque<>();
  private boolean done;

  /**
   * The tape recording the forward pass running on this thread, or null: modules deep in the model that add their own
   * backward steps (the embedding tables' row gradients) find it here instead of through every forward signature.
   */
  public static LayerwiseBackward recording() {
    return RECORDING.get();
  }

  /** Makes {@code tape} (may be null) {@link #recording()} on this thread until the returned scope closes. */
  public static Recording record(LayerwiseBackward tape) {
    LayerwiseBackward before = RECORDING.get();
    RECORDING.set(tape);
    return () -> RECORDING.set(before);
  }

  /** The scope of {@link #record}. */
  public interface Recording extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Starts a new segment at {@code output}: returns a leaf that shares its storage, has no history
   * and requires grad. The caller keeps computing from the leaf; the tape owns both tensors.
   */
  public Tensor boundary(Tensor output) {
    Tensor leaf = output.detach();
    leaf.requires_grad_(true);
    steps.push(new SegmentStep(output, leaf));
    return leaf;
  }

  /** Records a custom backward step (it runs before every step recorded earlier). Takes ownership. */
  public void addStep(Step step) {
    steps.push(step);
  }

  /**
   * Records a gradient mark ([note: gradient marks]): during {@link #backward(Tensor, IntConsumer)}, {@code group}
   * is reported once every step recorded after this call has run.
   */
  public void mark(int group) {
    steps.push(new Mark(group));
  }

  /** Back-propagates {@code loss} (a scalar of the last segment) through every segment, top down. */
  public void backward(Tensor loss) {
    backward(loss, null);
  }

  /**
   * {@link #backward(Tensor)}, reporting each {@link #mark} to {@code onMark} as the backward passes it (in the
   * reverse of the order they were recorded); null ignores the marks.
   */
  public void backward(Tensor loss, IntConsumer onMark) {
    if (done) {
      throw new IllegalStateException("backward already ran for this forward pass");
    }
    done = true;
    try (TensorVector roots = new TensorVector(loss)) {
      torch.backward(roots);
    }
    while (!steps.isEmpty()) {
      try (Step step = steps.pop()) {
        if (step instanceof Mark mark) {
          if (onMark != null) {
            onMark.accept(mark.group);
          }
        } else {
          step.run();
        }
      }
    }
  }

  /** Back-propagates {@code grads} into {@code outputs} (one call of torch::autograd::backward). */
  public static void backward(TensorVector outputs, TensorVector grads) {
    try (BoolOptional noRetain = new BoolOptional(false); TensorVector noInputs = new TensorVector()) {
      torch.backward(outputs, grads, noRetain, false, noInputs);
    }
  }

  @Override
  public void close() {
    while (!steps.isEmpty()) {
      steps.pop().close();
    }
  }

  /** A gradient mark: no backward work, only the point where a parameter group's gradients are final. */
  private record Mark(int group) implements Step {
    @Override
    public void run() {}

    @Override
    public void close() {}
  }

  /** Hands the gradient accumulated on a segment's input leaf to the output that produced it. */
  private static final class SegmentStep implements Step {
    private final Tensor output;
    private final Tensor leaf;

    SegmentStep(Tensor output, Tensor leaf) {
      this.output = output;
      this.leaf = leaf;
    }

    @Override
    public void run() {
      if (!output.requires_grad()) {
        return; // e.g. frozen embeddings: nothing below wants a gradient
      }
      try (Tensor grad = leaf.grad()) {
        if (!grad.defined()) {
          return; // the segment above did not use this input
        }
        try (TensorVector outs = new TensorVector(output); TensorVector grads = new TensorVector(grad)) {
          backward(outs, grads);
        }
      }
    }

    @Override
    public void close() {
      leaf.close();
      output.close();
    }
  }
}
