package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionBatch;
import dev.exprbert.kernels.AttentionKernels;
import dev.exprbert.kernels.AttentionOptions;
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
 * Our fused attention kernel ({@code --attention fused}), a custom-op graph boundary (DESIGN §4): the
 * forward writes {@code out} (a fresh leaf that requires grad) and the per-row log-sum-exp; a step on the
 * layer-wise tape turns {@code out.grad} into dq, dk, dv with the backward kernel and back-propagates them
 * into the q, k, v projections. The key-padding mask becomes per-sequence lengths (right padding only);
 * padded query rows get zeros, which no real token depends on.
 *
 * <p>Train-mode dropout follows Hugging Face's semantics (drop attention probabilities with p, scale the
 * survivors by 1/(1-p)); the mask comes from a counter-based RNG keyed by this backend's seed and a call
 * counter, so the backward regenerates it and a run is reproducible for a given seed.
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
  public String name() {
    return "fused";
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    boolean wantsGrad = GradMode.is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
    if (wantsGrad && tape == null) {
      throw new UnsupportedOperationException("--attention fused is a custom op that needs the layer-wise backward "
          + "(forwardForTraining); a single autograd graph (forwardFullGraph) cannot pass through it: use --attention "
          + "eager or sdpa there");
    }
    double p = training ? dropout : 0.0;
    AttentionOptions options = new AttentionOptions(1.0 / Math.sqrt(q.size(3)), p, seed, p > 0 ? calls.getAndIncrement() : 0);
    AttentionBatch batch = AttentionBatch.padded(mask.lengths());
    // [batch, heads, seq, dim] views of [batch, seq, heads, dim] projections: transposing back is free.
    Tensor qs = q.transpose(1, 2);
    Tensor ks = k.transpose(1, 2);
    Tensor vs = v.transpose(1, 2);
    Tensor out = null;
    Tensor lse = null;
    try {
      try (NoGradGuard noGrad = new NoGradGuard()) {
        out = emptyLike(qs);
        lse = emptyFloat(q, q.size(0), q.size(1), q.size(2));
        AttentionKernels.forward(qs, ks, vs, out, lse, batch, options);
      }
      if (!wantsGrad) {
        Tensor context = out.transpose(1, 2);
        closeAll(qs, ks, vs, out, lse);
        return context;
      }
      out.requires_grad_(true); // a fresh leaf: the layers above fill out.grad, the tape step below reads it
      Tensor context = out.transpose(1, 2);
      tape.addStep(new Backward(qs, ks, vs, out, lse, mask.lengths().clone(), options));
      return context;
    } catch (RuntimeException e) {
      closeAll(qs, ks, vs, out, lse);
      throw e;
    }
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
    private final Tensor lengths;
    private final AttentionOptions options;

    Backward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor lengths, AttentionOptions options) {
      this.q = q;
      this.k = k;
      this.v = v;
      this.out = out;
      this.lse = lse;
      this.lengths = lengths;
      this.options = options;
    }

    @Override
    public void run() {
      try (Tensor grad = out.grad()) {
        if (!grad.defined()) {
          return; // nothing above used the attention output
        }
        try (Tensor dout = grad.stride(3) == 1 ? grad.alias() : grad.contiguous();
            Tensor dq = emptyLike(q);
            Tensor dk = emptyLike(k);
            Tensor dv = emptyLike(v);
            Tensor delta = q.is_cuda() ? torch.empty_like(lse) : null) {
          try (NoGradGuard noGrad = new NoGradGuard()) {
            AttentionKernels.backward(dout, q, k, v, out, lse, dq, dk, dv, delta, AttentionBatch.padded(lengths), options);
          }
          try (TensorVector outputs = new TensorVector(q, k, v); TensorVector grads = new TensorVector(dq, dk, dv)) {
            LayerwiseBackward.backward(outputs, grads);
          }
        }
      }
    }

    @Override
    public void close() {
      closeAll(q, k, v, out, lse, lengths);
    }
  }
}
