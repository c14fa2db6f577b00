package dev.exprbert.model.crf;

import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The chains a CRF runs over in one batch, built on the host from label ids, so no device value is read: each chain
 * is a sentence's (or window's) labelled positions in order, given as rows of the batch's logits read as
 * {@code [rows, L]} (padded {@code [B, S, L]} or packed {@code [total_tokens, L]} alike), with their gold label ids
 * and whether the chain opens and closes its sentence. Positions labelled -100 (special tokens, padding, and the
 * continuation sub-tokens a word's first-sub-token labelling leaves out) are not in any chain: the CRF's transitions
 * go from one labelled position to the next. Chains without a labelled position are left out.
 *
 * <p>Owns its CPU tensors: {@code rows [N, T]}, {@code tags [N, T]} and {@code last [N, 1]} int64, {@code mask [N, T]},
 * {@code opens} and {@code closes [N, 1]} bool, where T is the longest chain (shorter ones are padded with row 0,
 * tag 0 and mask false).
 */
public final class CrfChains implements AutoCloseable {
  private final int count;
  private final int longest;
  private final Tensor rows;
  private final Tensor tags;
  private final Tensor last;
  private final Tensor mask;
  private final Tensor opens;
  private final Tensor closes;

  /** Collects chains, then {@link #build}s them. */
  public static final class Builder {
    private final List<long[]> rows = new ArrayList<>();
    private final List<long[]> tags = new ArrayList<>();
    private final List<Boolean> opens = new ArrayList<>();
    private final List<Boolean> closes = new ArrayList<>();

    /**
     * Adds the labelled positions of one sequence: those of {@code labelIds} that are not -100, as rows
     * {@code firstRow + t}.
     *
     * @param opens whether the sequence starts its sentence (a later window of a long sentence does not), so the
     *     start scores and the start constraints apply
     * @param closes whether it ends its sentence, so the end scores and end constraints apply
     */
    public Builder add(long firstRow, long[] labelIds, boolean opens, boolean closes) {
      int n = 0;
      for (long id : labelIds) {
        n += id != TokenClassificationLoss.IGNORE_INDEX ? 1 : 0;
      }
      if (n == 0) {
        return this;
      }
      long[] r = new long[n];
      long[] y = new long[n];
      for (int t = 0, i = 0; t < labelIds.length; t++) {
        if (labelIds[t] != TokenClassificationLoss.IGNORE_INDEX) {
          r[i] = firstRow + t;
          y[i++] = labelIds[t];
        }
      }
      rows.add(r);
      tags.add(y);
      this.opens.add(opens);
      this.closes.add(closes);
      return this;
    }

    public CrfChains build() {
      return new CrfChains(this);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  private CrfChains(Builder b) {
    count = b.rows.size();
    longest = b.rows.stream().mapToInt(r -> r.length).max().orElse(0);
    long[] r = new long[count * longest];
    long[] y = new long[count * longest];
    long[] m = new long[count * longest];
    long[] lastAt = new long[count];
    long[] open = new long[count];
    long[] close = new long[count];
    for (int c = 0; c < count; c++) {
      long[] chain = b.rows.get(c);
      System.arraycopy(chain, 0, r, c * longest, chain.length);
      System.arraycopy(b.tags.get(c), 0, y, c * longest, chain.length);
      java.util.Arrays.fill(m, c * longest, c * longest + chain.length, 1);
      lastAt[c] = chain.length - 1;
      open[c] = b.opens.get(c) ? 1 : 0;
      close[c] = b.closes.get(c) ? 1 : 0;
    }
    rows = Tensors.longs(r, count, longest);
    tags = Tensors.longs(y, count, longest);
    last = Tensors.longs(lastAt, count, 1);
    mask = bools(m, count, longest);
    opens = bools(open, count, 1);
    closes = bools(close, count, 1);
  }

  private static Tensor bools(long[] values, long... shape) {
    try (Tensor longs = Tensors.longs(values, shape)) {
      return longs.to(ScalarType.Bool);
    }
  }

  /** How many chains (sequences with at least one labelled position). */
  public int size() {
    return count;
  }

  /** The longest chain's length. */
  public int longest() {
    return longest;
  }

  /** [N, T] int64 rows of the logits read as [rows, L]. */
  public Tensor rows() {
    return rows;
  }

  /** [N, T] int64 gold label ids. */
  public Tensor tags() {
    return tags;
  }

  /** [N, 1] int64 index of each chain's last position. */
  public Tensor last() {
    return last;
  }

  /** [N, T] bool: the chain's positions. */
  public Tensor mask() {
    return mask;
  }

  /** [N, 1] bool: the chain opens its sentence. */
  public Tensor opens() {
    return opens;
  }

  /** [N, 1] bool: the chain closes its sentence. */
  public Tensor closes() {
    return closes;
  }

  @Override
  public void close() {
    rows.close();
    tags.close();
    last.close();
    mask.close();
    opens.close();
    closes.close();
  }
}
