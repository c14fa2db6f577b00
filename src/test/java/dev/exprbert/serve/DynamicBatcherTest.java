package dev.exprbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.infer.WindowScorer;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.testing.TinyModelDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batcher against a recording stand-in for the model: budgets, splitting, waiting, failures, order of rows. */
class DynamicBatcherTest {
  @TempDir static Path tmp;
  static ModelTokenizer tokenizer;
  static SubwordAligner aligner;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = TokenizerLoader.load(TinyModelDirectory.create(tmp.resolve("m")));
    aligner = new SubwordAligner(tokenizer, null, false);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** A window of {@code words} copies of one vocabulary word (length words + 2), marked by that word's id. */
  static AlignedSentence window(int words, int marker) {
    return aligner.align(Collections.nCopies(words, TinyModelDirectory.WORDS.get(marker % TinyModelDirectory.WORDS.size())));
  }

  /** Records each batch's window lengths and answers each window with rows holding its marker (its first word id). */
  static final class Recorder implements WindowScorer {
    final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    volatile long failOnId = -1;

    @Override
    public List<float[][]> tokenProbabilities(List<AlignedSentence> windows) {
      batches.add(windows.stream().map(AlignedSentence::length).toList());
      List<float[][]> out = new ArrayList<>();
      for (AlignedSentence w : windows) {
        if (w.inputIds()[1] == failOnId) {
          throw new IllegalStateException("model failure");
        }
        float[][] rows = new float[w.length()][1];
        for (float[] row : rows) {
          row[0] = w.inputIds()[1];
        }
        out.add(rows);
      }
      return out;
    }
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
  }

  private static void assertRowsBelongTo(List<AlignedSentence> windows, List<float[][]> rows) {
    assertEquals(windows.size(), rows.size());
    for (int i = 0; i < windows.size(); i++) {
      assertEquals(windows.get(i).length(), rows.get(i).length, "window " + i + " got its own number of rows");
      assertEquals(windows.get(i).inputIds()[1], (long) rows.get(i)[0][0], "window " + i + " got its own rows");
    }
  }

  @Test
  void packedBatchesStayWithinTheTokenBudgetAndRowsGoBackToTheirCallers() throws Exception {
    Recorder model = new Recorder();
    ServerMetrics metrics = new ServerMetrics();
    try (DynamicBatcher batcher = new DynamicBatcher(model, true, 40, 50, metrics)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> calls = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int caller = c;
        calls.add(pool.submit(() -> {
          List<AlignedSentence> windows = List.of(window(3 + caller, caller), window(1, caller + 8), window(6, caller + 3));
          go.await();
          assertRowsBelongTo(windows, batcher.score(windows, deadline()));
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : calls) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    int windows = 0;
    for (List<Integer> batch : model.batches) {
      int sum = batch.stream().mapToInt(Integer::intValue).sum();
      assertTrue(sum <= 40, "real tokens per packed batch within --max-batch-tokens: " + batch);
      windows += batch.size();
    }
    assertEquals(24, windows);
    assertTrue(model.batches.size() < 24, "windows of different callers shared batches: " + model.batches);
    assertEquals(0, metrics.queuedWindows.get());
    assertEquals(0, metrics.paddingTokens.sum());
  }

  @Test
  void paddedBatchesCountBatchTimesLongest() throws Exception {
    Recorder model = new Recorder();
    ServerMetrics metrics = new ServerMetrics();
    try (DynamicBatcher batcher = new DynamicBatcher(model, false, 24, 0, metrics)) {
      List<AlignedSentence> windows = List.of(window(1, 1), window(1, 2), window(10, 3), window(1, 4), window(2, 5));
      assertRowsBelongTo(windows, batcher.score(windows, deadline()));
    }
    // lengths 3, 3, 12, 3, 4: [3, 3] (2 x 3 = 6; with 12: 3 x 12 = 36 > 24), [12] (with 3: 2 x 12 = 24), ...
    assertEquals(List.of(List.of(3, 3), List.of(12, 3), List.of(4)), model.batches);
    assertEquals((6 - 6) + (24 - 15) + 0, metrics.paddingTokens.sum(), "padding computed: 0 + 9 + 0");
  }

  @Test
  void aRequestLargerThanABatchIsSplitAndAWindowOverTheBudgetRunsAlone() throws Exception {
    Recorder model = new Recorder();
    try (DynamicBatcher batcher = new DynamicBatcher(model, true, 10, 0, new ServerMetrics())) {
      List<AlignedSentence> windows = List.of(window(2, 1), window(2, 2), window(2, 3), window(20, 4), window(1, 5));
      assertRowsBelongTo(windows, batcher.score(windows, deadline()));
    }
    assertEquals(List.of(List.of(4, 4), List.of(4), List.of(22), List.of(3)), model.batches);
  }

  @Test
  void theOldestWindowWaitsUpToMaxWaitForCompany() throws Exception {
    Recorder model = new Recorder();
    try (DynamicBatcher batcher = new DynamicBatcher(model, true, 1000, 300, new ServerMetrics())) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<List<float[][]>> first = pool.submit(() -> batcher.score(List.of(window(2, 1)), deadline()));
      Thread.sleep(60);
      Future<List<float[][]>> second = pool.submit(() -> batcher.score(List.of(window(3, 2)), deadline()));
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      pool.shutdown();
    }
    assertEquals(List.of(List.of(4, 5)), model.batches, "one forward pass for both");
  }

  @Test
  void aFailingBatchFailsItsRequestsOnly() throws Exception {
    Recorder model = new Recorder();
    AlignedSentence bad = window(2, 7);
    model.failOnId = bad.inputIds()[1];
    try (DynamicBatcher batcher = new DynamicBatcher(model, true, 1000, 0, new ServerMetrics())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> batcher.score(List.of(bad), deadline()));
      assertTrue(e.getMessage().contains("model failure"), e.getMessage());
      List<AlignedSentence> good = List.of(window(2, 1));
      assertRowsBelongTo(good, batcher.score(good, deadline()));
    }
  }

  @Test
  void anExpiredRequestTimesOutAndIsNotComputed() {
    Recorder model = new Recorder();
    try (DynamicBatcher batcher = new DynamicBatcher(model, true, 1000, 500, new ServerMetrics())) {
      DynamicBatcher.TimedOut e = assertThrows(DynamicBatcher.TimedOut.class,
          () -> batcher.score(List.of(window(2, 1)), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50)));
      assertTrue(e.getMessage().contains("timeout"), e.getMessage());
    }
    assertEquals(List.of(), model.batches);
  }
}
