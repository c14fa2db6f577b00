package dev.exprbert.kernels;

/**
 * A sliding (local) attention window: query {@code i} sees key {@code j} only if
 * {@code i - left <= j <= i + right} (and {@code j} is a real token of its sequence); {@code -1} makes a side
 * unlimited, FlashAttention's {@code window_size} convention. {@link #NONE} is full attention. ModernBERT's local
 * layers are {@code symmetric(local_attention / 2)}, e.g. 64 for {@code local_attention} 128.
 *
 * <p>Each side is {@code >= 0} or unlimited, so a real query always sees at least itself. A padding query whose
 * window holds no real key gets zeros from the fused kernel (and a uniform row from the eager and sdpa backends,
 * as in Hugging Face); no real token depends on that row either way.
 */
public record AttentionWindow(long left, long right) {
  /** Full attention: every key of the sequence. */
  public static final AttentionWindow NONE = new AttentionWindow(-1, -1);

  public AttentionWindow {
    if (left < -1 || right < -1) {
      throw new IllegalArgumentException("attention window sides must be >= 0 (keys before / after the query) or -1"
          + " (unlimited), got left " + left + ", right " + right);
    }
  }

  /** The window of {@code halfWidth} keys on each side of the query ({@code |i - j| <= halfWidth}). */
  public static AttentionWindow symmetric(long halfWidth) {
    if (halfWidth < 0) {
      throw new IllegalArgumentException("a symmetric attention window needs a half width >= 0, got " + halfWidth);
    }
    return new AttentionWindow(halfWidth, halfWidth);
  }

  /** Whether some key of a long enough sequence is out of sight (false for {@link #NONE}). */
  public boolean isLimited() {
    return left >= 0 || right >= 0;
  }

  /** Whether query position {@code query} sees key position {@code key} (positions within one sequence). */
  public boolean sees(long query, long key) {
    return (left < 0 || key >= query - left) && (right < 0 || key <= query + right);
  }

  @Override
  public String toString() {
    return isLimited() ? "window(left " + side(left) + ", right " + side(right) + ")" : "no window";
  }

  private static String side(long size) {
    return size < 0 ? "unlimited" : Long.toString(size);
  }
}
