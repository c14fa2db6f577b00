package dev.exprbert.kernels;

import static dev.exprbert.kernels.TensorChecks.requireDefined;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The checked facade over the fused attention kernels of {@link KernelsLibrary} (kernels.h): every tensor's
 * shape, dtype, device and strides are checked before the native call (IllegalArgumentException naming the
 * argument); a native failure becomes a {@link KernelException}. CUDA work is queued on LibTorch's current
 * stream. Runs under whatever grad mode the caller has: the kernels write raw memory and record nothing.
 */
public final class AttentionKernels {
  private AttentionKernels() {}

  /**
   * {@code out = softmax(scale q k^T, key padding) v} with dropout, and the per-row log-sum-exp. With a sliding
   * window ({@link AttentionOptions#window()}) each query sees only the keys of its window, at a cost of
   * O(seq * window) instead of O(seq^2); padded query rows are zero either way.
   *
   * @param q padded {@code [batch, seq, heads, head_dim]} or varlen {@code [total_tokens, heads, head_dim]}
   * @param k like q
   * @param v like q
   * @param out like q (written; padded rows beyond a length become 0)
   * @param lse float32 contiguous, padded {@code [batch, heads, seq]} or varlen {@code [heads, total_tokens]}
   */
  public static void forward(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionBatch batch,
      AttentionOptions options) {
    NativeKernels.load();
    Shape shape = checkCommon(q, k, v, out, lse, batch, options);
    try (PointerScope scope = new PointerScope()) {
      KernelsLibrary.AttentionParams p = params(shape, q, k, v, out, lse, batch, options);
      KernelStatus.check("exprbert_attention_forward", KernelsLibrary.exprbert_attention_forward(p));
    }
  }

  /**
   * dq, dk, dv of {@link #forward} for the upstream gradient {@code dout}, given the forward's q, k, v, out, lse
   * and the same batch and options (the dropout mask is regenerated).
   *
   * @param delta CUDA only: float32 scratch shaped like lse; may be null on the CPU
   */
  public static void backward(Tensor dout, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor dq, Tensor dk,
      Tensor dv, Tensor delta, AttentionBatch batch, AttentionOptions options) {
    NativeKernels.load();
    Shape shape = checkCommon(q, k, v, out, lse, batch, options);
    checkLike(dout, "dout", q, shape);
    checkLike(dq, "dq", q, shape);
    checkLike(dk, "dk", q, shape);
    checkLike(dv, "dv", q, shape);
    if (shape.device >= 0) {
      requireDefined(delta, "delta");
      checkLse(delta, "delta", shape, batch);
    }
    try (PointerScope scope = new PointerScope()) {
      KernelsLibrary.AttentionParams p = params(shape, q, k, v, out, lse, batch, options);
      long[] s = strides(dout, batch);
      p.dout(dout.data_ptr()).dout_batch_stride(s[0]).dout_row_stride(s[1]).dout_head_stride(s[2]);
      s = strides(dq, batch);
      p.dq(dq.data_ptr()).dq_batch_stride(s[0]).dq_row_stride(s[1]).dq_head_stride(s[2]);
      s = strides(dk, batch);
      p.dk(dk.data_ptr()).dk_batch_stride(s[0]).dk_row_stride(s[1]).dk_head_stride(s[2]);
      s = strides(dv, batch);
      p.dv(dv.data_ptr()).dv_batch_stride(s[0]).dv_row_stride(s[1]).dv_head_stride(s[2]);
      p.delta(shape.device >= 0 ? new FloatPointer(delta.data_ptr()) : null);
      KernelStatus.check("exprbert_attention_backward", KernelsLibrary.exprbert_attention_backward(p));
    }
  }

  /**
   * The dropout keep-mask the kernels apply for {@code options}, materialised for tests: uint8
   * {@code [batch, heads, maxSeqlen, maxSeqlen]} on the CPU, 1 = kept (row i, column j count within a sequence).
   */
  public static Tensor dropoutMask(long batch, long heads, long maxSeqlen, AttentionOptions options) {
    NativeKernels.load();
    if (batch < 0 || heads < 1 || maxSeqlen < 0) {
      throw new IllegalArgumentException("dropoutMask needs batch >= 0, heads >= 1, maxSeqlen >= 0, got " + batch + ", "
          + heads + ", " + maxSeqlen);
    }
    try (TensorOptions bytes = new TensorOptions(ScalarType.Byte)) {
      Tensor keep = dev.exprbert.runtime.Tensors.empty(new long[] {batch, heads, maxSeqlen, maxSeqlen}, bytes);
      try (PointerScope scope = new PointerScope()) {
        KernelsLibrary.AttentionParams p = newParams();
        p.batch(batch).heads(heads).max_seqlen(maxSeqlen).dropout_p(options.dropoutP())
            .dropout_seed(options.seed()).dropout_offset(options.offset());
        KernelStatus.check("exprbert_attention_dropout_mask",
            KernelsLibrary.exprbert_attention_dropout_mask(p, new BytePointer(keep.data_ptr())));
      } catch (RuntimeException e) {
        keep.close();
        throw e;
      }
      return keep;
    }
  }

  /** A zeroed params struct (exprbert_attention_params_init): every field a call leaves unset is absent. */
  private static KernelsLibrary.AttentionParams newParams() {
    KernelsLibrary.AttentionParams p = new KernelsLibrary.AttentionParams();
    KernelsLibrary.exprbert_attention_params_init(p);
    return p;
  }

  /** What the checks established about a call. */
  private record Shape(int device, int dtype, long batch, long maxSeqlen, long totalTokens, long heads, long headDim) {}

  private static Shape checkCommon(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionBatch batch,
      AttentionOptions options) {
    if (batch == null || options == null) {
      throw new IllegalArgumentException("batch and options must not be null");
    }
    requireDefined(q, "q");
    int device = TensorChecks.deviceOf(q);
    int expectedDims = batch.isVarlen() ? 3 : 4;
    String layout = batch.isVarlen() ? "[total_tokens, heads, head_dim] (varlen)" : "[batch, seq, heads, head_dim] (padded)";
    if (q.dim() != expectedDims) {
      throw new IllegalArgumentException("q must be " + layout + ", got " + q.dim() + " dims");
    }
    int scalarType = q.scalar_type().value;
    if (scalarType != ScalarTypes.FLOAT && scalarType != ScalarTypes.HALF && scalarType != ScalarTypes.BFLOAT16) {
      throw new IllegalArgumentException("q must be Float, Half or BFloat16, got " + TensorChecks.dtypeName(q));
    }
    Shape shape;
    if (batch.isVarlen()) {
      Tensor cu = batch.cuSeqlens();
      requireInt32Vector(cu, "cuSeqlens", device);
      long sequences = cu.size(0) - 1;
      if (sequences < 0) {
        throw new IllegalArgumentException("cuSeqlens must hold batch + 1 >= 1 offsets, got 0");
      }
      if (batch.hostCuSeqlens() != null) {
        requireInt32Vector(batch.hostCuSeqlens(), "hostCuSeqlens", TensorChecks.CPU);
        if (batch.hostCuSeqlens().size(0) != cu.size(0)) {
          throw new IllegalArgumentException("hostCuSeqlens must hold the " + cu.size(0) + " offsets of cuSeqlens, got "
              + batch.hostCuSeqlens().size(0));
        }
      }
      shape = new Shape(device, ScalarTypes.toExprbert(scalarType), sequences, batch.maxSeqlen(), q.size(0), q.size(1),
          q.size(2));
    } else {
      if (batch.seqlens() != null) {
        requireInt32Vector(batch.seqlens(), "seqlens", device);
        if (batch.seqlens().size(0) != q.size(0)) {
          throw new IllegalArgumentException("seqlens must hold one length per sequence (" + q.size(0) + "), got "
              + batch.seqlens().size(0));
        }
      }
      shape = new Shape(device, ScalarTypes.toExprbert(scalarType), q.size(0), q.size(1), 0, q.size(2), q.size(3));
    }
    checkStrides(q, "q");
    checkLike(k, "k", q, shape);
    checkLike(v, "v", q, shape);
    checkLike(out, "out", q, shape);
    checkLse(lse, "lse", shape, batch);
    return shape;
  }

  private static void requireInt32Vector(Tensor t, String name, int device) {
    requireDefined(t, name);
    if (t.dim() != 1) {
      throw new IllegalArgumentException(name + " must be a 1-D int32 tensor, got " + t.dim() + " dims");
    }
    TensorChecks.check(t, name, device, ScalarType.Int.value);
  }

  /** Same shape, dtype and device as q, innermost stride 1, other strides >= 0. */
  private static void checkLike(Tensor t, String name, Tensor q, Shape shape) {
    requireDefined(t, name);
    int device = TensorChecks.deviceOf(t);
    if (device != shape.device) {
      throw new IllegalArgumentException(name + " must be on " + TensorChecks.deviceName(shape.device) + " like q, got "
          + TensorChecks.deviceName(device));
    }
    if (t.scalar_type().value != q.scalar_type().value) {
      throw new IllegalArgumentException(name + " must have q's dtype " + TensorChecks.dtypeName(q) + ", got "
          + TensorChecks.dtypeName(t));
    }
    if (t.dim() != q.dim()) {
      throw new IllegalArgumentException(name + " must have q's " + q.dim() + " dims, got " + t.dim());
    }
    for (int d = 0; d < q.dim(); d++) {
      if (t.size(d) != q.size(d)) {
        throw new IllegalArgumentException(name + " must have q's shape, but size(" + d + ") is " + t.size(d) + ", q's is "
            + q.size(d));
      }
    }
    checkStrides(t, name);
  }

  private static void checkStrides(Tensor t, String name) {
    int last = (int) t.dim() - 1;
    if (t.size(last) > 1 && t.stride(last) != 1) {
      throw new IllegalArgumentException(name + " must have head_dim stride 1 (the kernel reads rows), got "
          + t.stride(last) + "; call contiguous() first");
    }
    for (int d = 0; d < last; d++) {
      if (t.stride(d) < 0) {
        throw new IllegalArgumentException(name + " must have non-negative strides, got stride(" + d + ") = " + t.stride(d));
      }
    }
  }

  private static void checkLse(Tensor lse, String name, Shape shape, AttentionBatch batch) {
    TensorChecks.check(lse, name, shape.device, ScalarTypes.FLOAT);
    long[] expected = batch.isVarlen() ? new long[] {shape.heads, shape.totalTokens}
        : new long[] {shape.batch, shape.heads, shape.maxSeqlen};
    boolean ok = lse.dim() == expected.length;
    for (int d = 0; ok && d < expected.length; d++) {
      ok = lse.size(d) == expected[d];
    }
    if (!ok) {
      throw new IllegalArgumentException(name + " must be float32 " + java.util.Arrays.toString(expected)
          + (batch.isVarlen() ? " [heads, total_tokens]" : " [batch, heads, seq]") + ", got " + lse.dim() + " dims of sizes "
          + java.util.Arrays.toString(sizes(lse)));
    }
  }

  private static long[] sizes(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int d = 0; d < s.length; d++) {
      s[d] = t.size(d);
    }
    return s;
  }

  /** {batch, row, head} element strides. */
  private static long[] strides(Tensor t, AttentionBatch batch) {
    return batch.isVarlen() ? new long[] {0, t.stride(0), t.stride(1)} : new long[] {t.stride(0), t.stride(1), t.stride(2)};
  }

  private static KernelsLibrary.AttentionParams params(Shape shape, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse,
      AttentionBatch batch, AttentionOptions options) {
    KernelsLibrary.AttentionParams p = newParams();
    p.layout(batch.layout()).dtype(shape.dtype).batch(shape.batch).max_seqlen(shape.maxSeqlen)
        .total_tokens(shape.totalTokens).heads(shape.heads).head_dim(shape.headDim);
    p.seqlens(batch.seqlens() == null ? null : new IntPointer(batch.seqlens().data_ptr()));
    p.cu_seqlens(batch.cuSeqlens() == null ? null : new IntPointer(batch.cuSeqlens().data_ptr()));
    if (batch.isVarlen() && shape.device >= 0) {
      // The launch grid is sized on the host. A batch built on the host carries its offsets there already; only
      // without them does this copy them back (one small device-to-host copy, which waits for the device).
      Tensor hostCu = batch.hostCuSeqlens();
      if (hostCu == null) {
        hostCu = batch.cuSeqlens().cpu();
        PointerScope.getInnerScope().attach(hostCu);
      }
      p.host_cu_seqlens(new IntPointer(hostCu.data_ptr()));
    }
    p.scale(options.scale()).dropout_p(options.dropoutP()).dropout_seed(options.seed()).dropout_offset(options.offset());
    AttentionWindow window = options.window(); // sides already checked: >= 0 or -1
    if (window.isLimited()) {
      p.window(KernelsLibrary.EXPRBERT_ATTENTION_WINDOW_SLIDING).window_left(window.left()).window_right(window.right());
    }
    long[] s = strides(q, batch);
    p.q(q.data_ptr()).q_batch_stride(s[0]).q_row_stride(s[1]).q_head_stride(s[2]);
    s = strides(k, batch);
    p.k(k.data_ptr()).k_batch_stride(s[0]).k_row_stride(s[1]).k_head_stride(s[2]);
    s = strides(v, batch);
    p.v(v.data_ptr()).v_batch_stride(s[0]).v_row_stride(s[1]).v_head_stride(s[2]);
    s = strides(out, batch);
    p.out(out.data_ptr()).out_batch_stride(s[0]).out_row_stride(s[1]).out_head_stride(s[2]);
    p.lse(new FloatPointer(lse.data_ptr()));
    p.device(shape.device).stream(shape.device >= 0 ? CudaStreams.current(shape.device) : null).num_threads(NativeKernels.cpuThreads());
    return p;
  }

}
