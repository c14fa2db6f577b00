package dev.exprbert.data;

import java.util.Arrays;

/**
 * A growable column of ints addressed by a {@code long} index: the storage under {@link FeatureStore}.
 *
 * <p>Values live in pages of {@value #PAGE_BITS} bits (1 Mi ints, 4 MiB), so a column is not bound by one array's
 * 2^31 entries and growing it never copies more than one page. The last page starts small and doubles until it is
 * full, so a column of a few hundred values (a prediction chunk) costs a few hundred ints, not a page;
 * {@link #trimToSize()} cuts the last page to what it holds once the column is complete.
 */
final class IntColumn {
  private static final int PAGE_BITS = 20;
  private static final int PAGE = 1 << PAGE_BITS;
  private static final int MASK = PAGE - 1;
  private static final int FIRST_CAPACITY = 64;

  private int[][] pages = new int[0][];
  private long size;

  long size() {
    return size;
  }

  void add(int value) {
    int offset = (int) (size & MASK);
    int[] page = writablePage(offset + 1);
    page[offset] = value;
    size++;
  }

  /** Appends the first {@code count} values of {@code values}. */
  void addAll(int[] values, int count) {
    addAll(values, 0, count);
  }

  /** Appends {@code values[from, from + count)}. */
  void addAll(int[] values, int from, int count) {
    int done = 0;
    while (done < count) {
      int offset = (int) (size & MASK);
      int chunk = Math.min(count - done, PAGE - offset);
      int[] page = writablePage(offset + chunk);
      System.arraycopy(values, from + done, page, offset, chunk);
      size += chunk;
      done += chunk;
    }
  }

  int get(long index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + " of a column of " + size);
    }
    return pages[(int) (index >>> PAGE_BITS)][(int) (index & MASK)];
  }

  /** Copies {@code count} values from {@code from} into {@code out[0, count)}, widened to long. */
  void readLongs(long from, long[] out, int count) {
    checkRange(from, count);
    for (int i = 0; i < count; ) {
      long at = from + i;
      int[] page = pages[(int) (at >>> PAGE_BITS)];
      int offset = (int) (at & MASK);
      int chunk = Math.min(count - i, PAGE - offset);
      for (int k = 0; k < chunk; k++) {
        out[i + k] = page[offset + k];
      }
      i += chunk;
    }
  }

  /** Copies {@code count} values from {@code from} into {@code out[into, into + count)}. */
  void readInts(long from, int[] out, int into, int count) {
    checkRange(from, count);
    for (int i = 0; i < count; ) {
      long at = from + i;
      int offset = (int) (at & MASK);
      int chunk = Math.min(count - i, PAGE - offset);
      System.arraycopy(pages[(int) (at >>> PAGE_BITS)], offset, out, into + i, chunk);
      i += chunk;
    }
  }

  /** Releases the unused tail of the last page (call once nothing more is added). */
  void trimToSize() {
    if (pages.length == 0) {
      return;
    }
    int used = (int) (size - ((long) (pages.length - 1) << PAGE_BITS));
    int last = pages.length - 1;
    if (pages[last].length != used) {
      pages[last] = Arrays.copyOf(pages[last], used);
    }
  }

  /** Bytes of the int arrays this column holds (capacity, not just size). */
  long capacityBytes() {
    long bytes = 0;
    for (int[] page : pages) {
      bytes += 4L * page.length;
    }
    return bytes;
  }

  /** The page the next value goes to, with room for {@code needed} values from its start. */
  private int[] writablePage(int needed) {
    int index = (int) (size >>> PAGE_BITS);
    if (index == pages.length) {
      pages = Arrays.copyOf(pages, pages.length + 1);
      pages[index] = new int[index == 0 ? Math.max(FIRST_CAPACITY, needed) : PAGE];
    }
    int[] page = pages[index];
    if (page.length < needed) {
      page = Arrays.copyOf(page, (int) Math.min(PAGE, Math.max((long) page.length * 2, needed)));
      pages[index] = page;
    }
    return page;
  }

  private void checkRange(long from, int count) {
    if (from < 0 || count < 0 || from + count > size) {
      throw new IndexOutOfBoundsException("values [" + from + ", " + (from + count) + ") of a column of " + size);
    }
  }
}
