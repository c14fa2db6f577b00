package dev.exprbert.model.nn;

import dev.exprbert.autograd.LayerwiseBackward;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The gradient of an embedding table written row by row into a gradient buffer the table keeps, instead of
 * autograd's dense embedding backward, which allocates and zero-fills the whole table's gradient every step (for
 * BERT's 30522 x 384 word table, 47 MB of fresh pages per step, page faults included) and then adds the batch's few
 * hundred rows.
 *
 * <p>How: in a layer-wise training pass the lookup runs without a graph to the table, and its output becomes a leaf
 * that requires grad; a backward step, run after the embeddings' segment, adds that leaf's gradient into the table's
 * {@code .grad} with {@code index_add_} (rows at {@code padding_idx} zeroed first, as the dense backward skips them).
 * The buffer is the table's {@code .grad} whenever the optimizer has dropped it ({@code zero_grad}, set_to_none): it
 * is handed out again after {@code zero_()}: one pass over memory that is already mapped, instead of a fresh
 * allocation with its page faults. The whole buffer is zeroed, not only the rows this table added, because others
 * write into a gradient in place too: a data-parallel all-reduce adds the other ranks' rows, a test or a scaler may
 * put non-finite values anywhere; a row this table did not add must not carry them into the next step. Every row sums
 * its tokens in the same order ({@code index_add_} on the CPU walks the ids in order, like the dense backward), so the
 * values are the dense backward's; with gradient accumulation the micro-batches are added row by row rather than as
 * whole tables, which can differ in the last bit.
 *
 * <p>CPU only: CUDA's {@code index_add_} adds with atomics (run-to-run nondeterministic), while its dense embedding
 * backward is deterministic, so CUDA tables keep autograd's path.
 */
final class EmbeddingRowGradient implements AutoCloseable {
  private final Tensor weight; // [rows, width], the table (shared handle)
  private final long paddingIdx;
  private Tensor buffer; // [rows, width], the gradient handed out as weight.grad, or null before the first step

  EmbeddingRowGradient(Tensor weight, long paddingIdx) {
    this.weight = weight;
    this.paddingIdx = paddingIdx;
  }

  /** Whether {@link #lookup} takes over the gradient for this call (a CPU table that wants a gradient, a tape). */
  boolean applies(LayerwiseBackward tape) {
    return tape != null && weight.requires_grad() && org.bytedeco.pytorch.GradMode.is_enabled() && !weight.is_cuda();
  }

  /** {@code ids [...] -> [..., width]} as a leaf, with the backward step that adds its gradient recorded on {@code tape}. */
  Tensor lookup(Tensor ids, LayerwiseBackward tape) {
    Tensor rows;
    try (org.bytedeco.pytorch.NoGradGuard noGraph = new org.bytedeco.pytorch.NoGradGuard()) {
      rows = torch.embedding(weight, ids, paddingIdx, false, false);
    }
    rows.requires_grad_(true);
    tape.addStep(new Step(new Tensor(rows), ids.reshape(-1).clone()));
    return rows;
  }

  private final class Step implements LayerwiseBackward.Step {
    private final Tensor rows; // our own handle to the leaf
    private final Tensor ids; // [tokens]

    Step(Tensor rows, Tensor ids) {
      this.rows = rows;
      this.ids = ids;
    }

    @Override
    public void run() {
      try (Tensor grad = rows.grad()) {
        if (!grad.defined()) {
          return; // nothing above used the embeddings
        }
        Tensor flat = grad.reshape(-1, weight.size(1));
        if (paddingIdx >= 0) {
          try (Tensor pad = ids.eq(new Scalar(paddingIdx)).unsqueeze(1)) {
            flat.masked_fill_(pad, new Scalar(0.0));
          }
        }
        try (Tensor target = gradientToAddInto()) {
          target.index_add_(0, ids, flat);
        }
        flat.close();
      }
    }

    @Override
    public void close() {
      rows.close();
      ids.close();
    }
  }

  /** The table's .grad, handing out the (re-zeroed) buffer when the optimizer dropped it; a new handle. */
  private Tensor gradientToAddInto() {
    Tensor current = weight.grad();
    if (current.defined()) {
      return current; // this step's earlier micro-batches, or a gradient someone else set: add to it
    }
    current.close();
    if (buffer == null) {
      buffer = outliveStep(torch.zeros_like(weight));
    } else {
      buffer.zero_();
    }
    try (Tensor slot = weight.mutable_grad()) {
      slot.put(buffer);
    }
    return new Tensor(buffer);
  }

  /** Frees the buffer (the weights close this before the table). */
  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
  }

  /** Takes {@code t} out of the step's PointerScope: it lives across steps, and {@link #close} frees it. */
  private static Tensor outliveStep(Tensor t) {
    org.bytedeco.javacpp.PointerScope scope = org.bytedeco.javacpp.PointerScope.getInnerScope();
    return scope == null ? t : dev.exprbert.runtime.Tensors.outlive(scope, t);
  }
}
