package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionBatch;
import dev.exprbert.kernels.AttentionKernels;
import dev.exprbert.kernels.AttentionOptions;
import dev.exprbert.kernels.AttentionWindow;
import dev.exprbert.runtime.Tensors;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Our fused attention kernel ({@code --attention fused}), a custom-op graph boundary (the layer-wise backward of
 * {@link LayerwiseBackward}): the
 * forward writes {@code out} (a fresh leaf that requires grad) and the per-row log-sum-exp; a step on the
 * layer-wise tape turns {@code out.grad} into dq, dk, dv with the backward kernel and back-propagates them
 * into the q, k, v projections. The key-padding mask becomes per-sequence lengths (right padding only);
 * padded query rows get zeros, which no real token depends on. A packed mask ({@link AttentionMask#packed}) runs
 * the kernel's packed layout: q, k, v, out are {@code [total_tokens, heads, head_dim]} and no padding exists. The
 * kernel takes the interface's layout ([note: attention layout] in {@link AttentionBackend}) as it is: q, k, v are
 * strided views of the projections and the context is the kernel's output itself, with no transpose or copy.
 * A sliding window ({@link AttentionWindow}) runs inside the kernel, padded or packed, forward and backward, at a
 * cost of O(seq * window) per sequence.
 *
 * <p>Train-mode dropout follows Hugging Face's semantics (drop attention probabilities with p, scale the
 * survivors by 1/(1-p)); the mask comes from a counter-based RNG keyed by this backend's seed and a call
 * counter, so the backward regenerates it and a run is reproducible for a given seed. The counter is part of
 * a training run's RNG state: checkpoints save {@link #dropoutOffset()} and resume with
 * {@link #restoreDropoutOffset}, so a resumed run draws the masks the uninterrupted run would.
 */
public final class FusedAttention implements AttentionBackend {
  private final long seed;
  private final AtomicLong calls = new AtomicLong();

  public FusedAttention() {
    this(0x5EED_A77E_0000_0001L);
  }

  /** @param seed the dropout RNG key; each call uses the next counter offset */
  public FusedAttention(long seed) {
    this.seed = seed;
  }

  @Override
  public AttentionImplementation implementation() {
    return AttentionImplementation.FUSED;
  }

  /** The counter offset the next training call with dropout will use (the Philox offset). */
  public long dropoutOffset() {
    return calls.get();
  }

  /** Continues the dropout mask stream at {@code offset}, a value {@link #dropoutOffset()} returned. */
  public void restoreDropoutOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("the fused attention dropout offset must be >= 0, got " + offset);
    }
    calls.set(offset);
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    return attend(q, k, v, mask, AttentionWindow.NONE, dropout, training, tape);
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionWindow window, double dropout,
      boolean training, LayerwiseBackward tape) {
    boolean wantsGrad = GradMode.is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
    if (wantsGrad && tape == null) {
      throw new UnsupportedOperationException("--attention fused is a custom op that needs the layer-wise backward "
          + "(forwardForTraining); a single autograd graph (forwardFullGraph) cannot pass through it: use --attention "
          + "eager or sdpa there");
    }
    if (mask.isPacked() ? q.dim() != 3 : q.dim() != 4) {
      throw new IllegalArgumentException("q must be " + (mask.isPacked() ? "[total_tokens, heads, head_dim] for a packed"
          : "[batch, seq, heads, head_dim] for a padded") + " batch, got " + q.dim() + " dims");
    }
    double p = training ? dropout : 0.0;
    AttentionOptions options = new AttentionOptions(1.0 / Math.sqrt(q.size(q.dim() - 1)), p, seed,
        p > 0 ? calls.getAndIncrement() : 0, window);
    Tensor layout = mask.isPacked() ? mask.cuSeqlens() : mask.lengths();
    Tensor hostLayout = mask.isPacked() ? mask.hostCuSeqlens() : null;
    long maxSeqlen = mask.isPacked() ? mask.maxSeqlen() : -1;
    AttentionBatch batch = batchOf(layout, hostLayout, maxSeqlen);
    // our own handles on the caller's q, k, v (which it closes): the tape step keeps them for the backward
    Tensor qs = q.alias();
    Tensor ks = k.alias();
    Tensor vs = v.alias();
    Tensor out = null;
    Tensor lse = null;
    try {
      try (NoGradGuard noGrad = new NoGradGuard()) {
        out = emptyLike(qs);
        // lse: padded [batch, heads, seq] of a [batch, seq, heads, dim] q; packed [heads, total_tokens]
        lse = mask.isPacked() ? emptyFloat(q, q.size(1), q.size(0)) : emptyFloat(q, q.size(0), q.size(2), q.size(1));
        AttentionKernels.forward(qs, ks, vs, out, lse, batch, options);
      }
      if (!wantsGrad) {
        Tensor context = out.alias();
        closeAll(qs, ks, vs, out, lse);
        return context;
      }
      out.requires_grad_(true); // a fresh leaf: the layers above fill out.grad, the tape step below reads it
      Tensor context = out.alias();
      tape.addStep(new Backward(qs, ks, vs, out, lse, layout.clone(), hostLayout == null ? null : hostLayout.clone(),
          maxSeqlen, options));
      return context;
    } catch (RuntimeException e) {
      closeAll(qs, ks, vs, out, lse);
      throw e;
    }
  }

  /** Padded with per-sequence lengths when {@code maxSeqlen < 0}, else packed with cu_seqlens (and their host copy). */
  private static AttentionBatch batchOf(Tensor layout, Tensor hostLayout, long maxSeqlen) {
    return maxSeqlen < 0 ? AttentionBatch.padded(layout) : AttentionBatch.varlen(layout, hostLayout, maxSeqlen);
  }

  /** A contiguous tensor of {@code like}'s sizes, dtype and device. */
  private static Tensor emptyLike(Tensor like) {
    long[] sizes = new long[(int) like.dim()];
    for (int d = 0; d < sizes.length; d++) {
      sizes[d] = like.size(d);
    }
    try (TensorOptions options = like.options()) {
      return Tensors.empty(sizes, options);
    }
  }

  /** A float32 tensor on {@code like}'s device. */
  private static Tensor emptyFloat(Tensor like, long... sizes) {
    try (TensorOptions base = like.options();
        ScalarTypeOptional f32 = new ScalarTypeOptional(torch.ScalarType.Float);
        TensorOptions options = base.dtype(f32)) {
      return Tensors.empty(sizes, options);
    }
  }

  private static void closeAll(Tensor... tensors) {
    for (Tensor t : tensors) {
      if (t != null) {
        t.close();
      }
    }
  }

  /** The tape step: out.grad -> dq, dk, dv (kernel) -> the q, k, v projections (autograd). Owns its tensors. */
  private static final class Backward implements LayerwiseBackward.Step {
    private final Tensor q;
    private final Tensor k;
    private final Tensor v;
    private final Tensor out;
    private final Tensor lse;
    private final Tensor layout;     // padded: lengths [batch]; packed: cu_seqlens [batch + 1]; int32
    private final Tensor hostLayout; // packed: cu_seqlens in host memory, or null
    private final long maxSeqlen;    // packed: the longest sequence; padded: -1
    private final AttentionOptions options;

    Backward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor layout, Tensor hostLayout, long maxSeqlen,
        AttentionOptions options) {
      this.q = q;
      this.k = k;
      this.v = v;
      this.out = out;
      this.lse = lse;
      this.layout = layout;
      this.hostLayout = hostLayout;
      this.maxSeqlen = maxSeqlen;
      this.options = options;
    }

    @Override
    public void run() {
      try (Tensor grad = out.grad()) {
        if (!grad.defined()) {
          return; // nothing above used the attention output
        }
        try (Tensor dout = grad.stride(grad.dim() - 1) == 1 ? grad.alias() : grad.contiguous();
            Tensor dq = emptyLike(q);
            Tensor dk = emptyLike(k);
            Tensor dv = emptyLike(v);
            Tensor delta = q.is_cuda() ? torch.empty_like(lse) : null) {
          try (NoGradGuard noGrad = new NoGradGuard()) {
            AttentionKernels.backward(dout, q, k, v, out, lse, dq, dk, dv, delta, batchOf(layout, hostLayout, maxSeqlen),
                options);
          }
          try (TensorVector outputs = new TensorVector(q, k, v); TensorVector grads = new TensorVector(dq, dk, dv)) {
            LayerwiseBackward.backward(outputs, grads);
          }
        }
      }
    }

    @Override
    public void close() {
      closeAll(q, k, v, out, lse, layout, hostLayout);
    }
  }
}
