package dev.exprbert.model.attention;

import dev.exprbert.kernels.AttentionWindow;
import java.util.HashMap;
import java.util.Map;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Which keys each query may see, in one of two layouts:
 *
 * <ul>
 *   <li>padded ({@link #fromPadding}): the key-padding mask of a [batch, seq] batch in the two forms backends
 *       want, the 0/1 mask as given ([batch, seq], 1 = real token) and Hugging Face's additive extended mask
 *       {@code (1 - mask) * finfo(dtype).min} of shape [batch, 1, 1, seq] in the compute dtype;
 *   <li>packed ({@link #packed}): a padding-free batch of {@code total_tokens} rows where sequence b holds
 *       rows {@code [cu_seqlens[b], cu_seqlens[b+1])} and attends only within itself (FlashAttention's
 *       cu_seqlens layout). Only backends whose {@link AttentionImplementation#supportsPacked()} is true accept it.
 * </ul>
 * On a GPU the mask also keeps what it needs in host memory (the 0/1 mask of a padded batch, the offsets of a packed
 * one) when the caller built it there, so the fused kernel never copies them back from the device (which would wait
 * for the device). A padded mask also gives the additive mask of a sliding window ({@link #additive(AttentionWindow)}),
 * built once per window and kept (a model's local layers share it). Owns its tensors.
 */
public final class AttentionMask implements AutoCloseable {
  private final Tensor keep;      // padded: [batch, seq], int64, 1 = attend; packed: null
  private final Tensor hostKeep;  // padded on a GPU: keep in host memory, when the caller had it there; else null
  private final Tensor additive;  // padded: [batch, 1, 1, seq], compute dtype; packed: null
  private Tensor lengths;         // padded: [batch], int32, computed on first use (fused attention)
  private final Tensor cuSeqlens; // packed: [batch + 1] int32 on the compute device; padded: null
  private final Tensor hostCuSeqlens; // packed on a GPU: cuSeqlens in host memory, or null
  private final long maxSeqlen;   // packed: the longest sequence; padded: -1
  private final Map<AttentionWindow, Tensor> windowed = new HashMap<>(); // padded: [batch, 1, seq, seq] per window

  private AttentionMask(Tensor keep, Tensor hostKeep, Tensor additive) {
    this.keep = keep;
    this.hostKeep = hostKeep;
    this.additive = additive;
    this.cuSeqlens = null;
    this.hostCuSeqlens = null;
    this.maxSeqlen = -1;
  }

  private AttentionMask(Tensor cuSeqlens, Tensor hostCuSeqlens, long maxSeqlen) {
    this.keep = null;
    this.hostKeep = null;
    this.additive = null;
    this.cuSeqlens = cuSeqlens;
    this.hostCuSeqlens = hostCuSeqlens;
    this.maxSeqlen = maxSeqlen;
  }

  /**
   * The mask of a packed batch: {@code cuSeqlens} int32 [batch + 1] start offsets (copied; the caller keeps
   * its tensor) and the longest sequence. The caller has checked the offsets against the token count.
   */
  public static AttentionMask packed(Tensor cuSeqlens, long maxSeqlen) {
    return packed(cuSeqlens, null, maxSeqlen);
  }

  /**
   * {@link #packed(Tensor, long)} with the same offsets in host memory ({@code hostCuSeqlens}, int32 CPU, or null),
   * kept only when {@code cuSeqlens} lives on a GPU.
   */
  public static AttentionMask packed(Tensor cuSeqlens, Tensor hostCuSeqlens, long maxSeqlen) {
    if (cuSeqlens.dim() != 1 || cuSeqlens.size(0) < 2 || cuSeqlens.scalar_type().value != ScalarType.Int.value) {
      throw new IllegalArgumentException("cu_seqlens must be a 1-D int32 tensor of batch + 1 >= 2 offsets, got "
          + cuSeqlens.dim() + " dims");
    }
    if (maxSeqlen < 1) {
      throw new IllegalArgumentException("max_seqlen must be >= 1, got " + maxSeqlen);
    }
    Tensor host = hostCuSeqlens != null && cuSeqlens.is_cuda() && !hostCuSeqlens.is_cuda()
        ? hostCuSeqlens.clone() : null;
    return new AttentionMask(cuSeqlens.clone(), host, maxSeqlen);
  }

  /** Packed on a GPU: the offsets in host memory, or null (then a kernel copies them back). Borrowed: do not close. */
  public Tensor hostCuSeqlens() {
    requirePacked("cu_seqlens");
    return hostCuSeqlens;
  }

  /** Whether this is a packed (padding-free) batch; see {@link #packed}. */
  public boolean isPacked() {
    return cuSeqlens != null;
  }

  /** Packed only: [batch + 1] int32 start offsets on the compute device. Borrowed: do not close. */
  public Tensor cuSeqlens() {
    requirePacked("cu_seqlens");
    return cuSeqlens;
  }

  /** Packed only: the longest sequence of the batch. */
  public long maxSeqlen() {
    requirePacked("max_seqlen");
    return maxSeqlen;
  }

  private void requirePacked(String what) {
    if (!isPacked()) {
      throw new IllegalStateException(what + " exists only for a packed batch; this mask is padded");
    }
  }

  private void requirePadded(String what) {
    if (isPacked()) {
      throw new UnsupportedOperationException("a packed (padding-free) batch has no " + what + "; only --attention fused"
          + " runs packed batches");
    }
  }

  /** From a [batch, seq] 0/1 attention mask; {@code computeType} is the dtype of the scores. */
  public static AttentionMask fromPadding(Tensor attentionMask, ScalarType computeType) {
    return fromPadding(attentionMask, null, computeType);
  }

  /**
   * {@link #fromPadding(Tensor, ScalarType)} with the same mask in host memory ({@code hostMask}, or null), kept only
   * when {@code attentionMask} lives on a GPU, so {@link #lengths()} is computed without waiting for the device.
   */
  public static AttentionMask fromPadding(Tensor attentionMask, Tensor hostMask, ScalarType computeType) {
    if (attentionMask.dim() != 2) {
      throw new IllegalArgumentException("attention_mask must be [batch, seq], got " + attentionMask.dim() + " dims");
    }
    long b = attentionMask.size(0);
    long s = attentionMask.size(1);
    try (Tensor asFloat = attentionMask.to(computeType);
        Scalar minusOne = new Scalar(-1.0);
        Scalar one = new Scalar(1.0);
        Scalar min = new Scalar(lowest(computeType));
        Tensor inverted = asFloat.mul(minusOne).add_(one);
        Tensor scaled = inverted.mul(min)) {
      Tensor host = hostMask != null && attentionMask.is_cuda() && !hostMask.is_cuda() ? hostMask.clone() : null;
      return new AttentionMask(attentionMask.clone(), host, scaled.view(b, 1, 1, s));
    }
  }

  /** {@code torch.finfo(dtype).min}, what Hugging Face fills masked scores with. */
  static double lowest(ScalarType type) {
    if (type.value == ScalarType.Float.value) {
      return -Float.MAX_VALUE;
    } else if (type.value == ScalarType.BFloat16.value) {
      return -3.3895313892515355e38;
    } else if (type.value == ScalarType.Half.value) {
      return -65504.0;
    } else if (type.value == ScalarType.Double.value) {
      return -Double.MAX_VALUE;
    }
    throw new IllegalArgumentException("attention scores must be floating point, got " + type);
  }

  /** [batch, seq] int64, 1 where the key is a real token. Borrowed: do not close. */
  public Tensor keep() {
    requirePadded("[batch, seq] padding mask");
    return keep;
  }

  /** [batch, 1, 1, seq] additive mask in the compute dtype. Borrowed: do not close. */
  public Tensor additive() {
    requirePadded("additive padding mask");
    return additive;
  }

  /**
   * The additive mask of {@code window} in the compute dtype: {@link #additive()} for {@link AttentionWindow#NONE};
   * otherwise [batch, 1, seq, seq], 0 where query i may see key j (j a real token and inside i's window) and
   * {@code finfo(dtype).min} elsewhere, as Hugging Face builds its sliding-window masks. A padding query whose window
   * holds no real key gets a row of min: a uniform softmax, which no real token depends on. Built on first use per
   * window; borrowed: do not close.
   */
  public Tensor additive(AttentionWindow window) {
    requirePadded("additive padding mask");
    if (!window.isLimited()) {
      return additive;
    }
    Tensor cached = windowed.get(window);
    if (cached == null) {
      cached = windowedAdditive(window);
      windowed.put(window, cached);
    }
    return cached;
  }

  private Tensor windowedAdditive(AttentionWindow window) {
    long b = keep.size(0);
    long s = keep.size(1);
    // Every temporary dies with this scope; the mask keeps the result past any scope its caller has open.
    try (PointerScope scope = new PointerScope()) {
      Tensor positions = torch.arange(new Scalar(s), keep.options());
      Tensor offsets = positions.unsqueeze(0).sub(positions.unsqueeze(1)); // j - i, [seq, seq]
      Tensor notTooFarBefore = offsets.ge(new Scalar(window.left() < 0 ? -s : -window.left()));
      Tensor notTooFarAfter = offsets.le(new Scalar(window.right() < 0 ? s : window.right()));
      Tensor band = notTooFarBefore.logical_and(notTooFarAfter).view(1, 1, s, s);
      Tensor realKeys = keep.ne(new Scalar(0)).view(b, 1, 1, s);
      Tensor hidden = band.logical_and(realKeys).logical_not(); // [batch, 1, seq, seq]
      Tensor additiveWindow = hidden.to(additive.scalar_type()).mul(new Scalar(lowest(additive.scalar_type())));
      return Tensors.outlive(scope, additiveWindow);
    }
  }

  /**
   * [batch] int32 real lengths, for kernels that take lengths instead of a mask (fused attention). Borrowed:
   * do not close. Throws IllegalArgumentException when the mask is not right-padded (ones, then zeros only),
   * which a length cannot express.
   */
  public Tensor lengths() {
    requirePadded("per-sequence lengths (use cuSeqlens())");
    if (lengths == null) {
      // Made on first use, perhaps inside a caller's PointerScope: the mask keeps it past that scope (close()).
      try (PointerScope scope = new PointerScope()) {
        lengths = Tensors.outlive(scope, checkedLengths());
      }
    }
    return lengths;
  }

  /** [batch] int32 lengths of the 0/1 mask, after checking that every row is right-padded. */
  private Tensor checkedLengths() {
    Tensor source = hostKeep != null ? hostKeep : keep; // host memory when we have it: no wait for the device
    try (Tensor counts = source.sum(1);
        Scalar seqEnd = new Scalar(source.size(1));
        TensorOptions longs = source.options();
        Tensor positions = torch.arange(seqEnd, longs);
        Scalar zero = new Scalar(0);
        Tensor column = counts.unsqueeze(1);
        Tensor prefix = positions.lt(column);
        Tensor keepBool = source.ne(zero);
        Tensor same = prefix.eq(keepBool);
        Tensor all = same.all()) {
      if (!all.item_bool()) {
        throw new IllegalArgumentException("attention_mask must be right-padded (1s, then only 0s in every row) for "
            + "lengths-based attention (--attention fused); found a 0 before a 1");
      }
      if (source == keep) {
        return counts.to(ScalarType.Int);
      } else {
        try (Tensor hostLengths = counts.to(ScalarType.Int); org.bytedeco.pytorch.Device device = keep.device()) {
          return hostLengths.to(device, ScalarType.Int);
        }
      }
    }
  }

  @Override
  public void close() {
    if (isPacked()) {
      cuSeqlens.close();
      if (hostCuSeqlens != null) {
        hostCuSeqlens.close();
      }
      return;
    }
    keep.close();
    if (hostKeep != null) {
      hostKeep.close();
    }
    additive.close();
    windowed.values().forEach(Tensor::close);
    windowed.clear();
    if (lengths != null) {
      lengths.close();
    }
  }
}
