package dev.exprbert.serve;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.infer.WindowScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching: the windows of concurrent requests go into one queue, and a single worker thread turns them into
 * forward passes. A batch starts with the oldest waiting window and takes more, in arrival order, until the next one
 * would exceed {@code maxBatchTokens} or until {@code maxWaitMs} after the oldest window arrived nothing more has come.
 * The cost of a batch is what the model computes: the sum of the window lengths when the model packs
 * (padding-free, fused attention), batch size x longest window when it pads. A request larger than one batch is
 * split across consecutive batches, its remaining windows first in line; a single window longer than the budget
 * runs alone. Rows go back to each caller in its own order.
 *
 * <p>Callers block in {@link #score} until their windows are done or their deadline passes; a request whose
 * deadline has passed is dropped from the queue instead of computed. {@link #close()} lets the worker finish what is
 * queued, then stops it.
 */
final class DynamicBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);

  /** Thrown to a caller whose deadline passed before its windows were computed. */
  static final class TimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimedOut(String message) {
      super(message);
    }
  }

  private static final class Job {
    final List<AlignedSentence> windows;
    final float[][][] rows;
    final long enqueuedNanos;
    final long deadlineNanos;
    final CompletableFuture<List<float[][]>> result = new CompletableFuture<>();
    int next; // next window to put in a batch (worker thread only)
    int done; // windows computed (worker thread only)
    volatile boolean abandoned;

    Job(List<AlignedSentence> windows, long deadlineNanos) {
      this.windows = windows;
      this.rows = new float[windows.size()][][];
      this.enqueuedNanos = System.nanoTime();
      this.deadlineNanos = deadlineNanos;
    }
  }

  private record Slot(Job job, int window) {}

  private final WindowScorer model;
  private final boolean packed;
  private final int maxBatchTokens;
  private final long maxWaitNanos;
  private final ServerMetrics metrics;
  private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
  private final Thread worker;
  private volatile boolean closing;

  /**
   * @param model runs one batch (a TokenClassifier, which packs or pads by its attention backend, or another runtime)
   * @param packed whether {@code model} computes real tokens only (the budget counts sum of lengths) or pads
   */
  DynamicBatcher(WindowScorer model, boolean packed, int maxBatchTokens, int maxWaitMs, ServerMetrics metrics) {
    if (maxBatchTokens < 1 || maxWaitMs < 0) {
      throw new IllegalArgumentException("--max-batch-tokens must be >= 1 and --max-wait-ms >= 0; got " + maxBatchTokens
          + " and " + maxWaitMs);
    }
    this.model = model;
    this.packed = packed;
    this.maxBatchTokens = maxBatchTokens;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
    this.metrics = metrics;
    this.worker = new Thread(this::run, "exprbert-batcher");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** The probabilities of {@code windows} (one table each, in order), computed in whatever batches they land in. */
  List<float[][]> score(List<AlignedSentence> windows, long deadlineNanos) {
    if (windows.isEmpty()) {
      return List.of();
    }
    if (closing) {
      throw new IllegalStateException("the batcher is closed");
    }
    Job job = new Job(windows, deadlineNanos);
    metrics.queuedWindows.addAndGet(windows.size());
    queue.add(job);
    try {
      return job.result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      job.abandoned = true;
      throw new TimedOut("no answer within the request timeout (" + windows.size() + " windows were queued)");
    } catch (InterruptedException e) {
      job.abandoned = true;
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the model", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  private void run() {
    while (true) {
      Job head;
      try {
        head = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (head == null) {
        if (closing && queue.isEmpty()) {
          return;
        }
        continue;
      }
      List<Slot> batch = collect(head);
      if (!batch.isEmpty()) {
        runBatch(batch);
      }
    }
  }

  /** Fills one batch, starting with {@code head}; a job that does not fit entirely goes back to the front. */
  private List<Slot> collect(Job head) {
    List<Slot> batch = new ArrayList<>();
    long real = 0;
    int longest = 0;
    long waitUntil = head.enqueuedNanos + maxWaitNanos;
    Job current = head;
    while (true) {
      if (current == null) {
        long left = waitUntil - System.nanoTime();
        try {
          current = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        if (current == null) {
          break;
        }
      }
      if (current.abandoned || System.nanoTime() > current.deadlineNanos) {
        drop(current);
        current = null;
        continue;
      }
      if (current.next == 0) {
        metrics.queueSeconds.observe((System.nanoTime() - current.enqueuedNanos) / 1e9);
      }
      while (current.next < current.windows.size()) {
        int length = current.windows.get(current.next).length();
        long cost = packed ? real + length : (long) (batch.size() + 1) * Math.max(longest, length);
        if (!batch.isEmpty() && cost > maxBatchTokens) {
          break;
        }
        batch.add(new Slot(current, current.next++));
        real += length;
        longest = Math.max(longest, length);
      }
      if (current.next < current.windows.size()) {
        queue.addFirst(current); // the rest of this request opens the next batch
        break;
      }
      current = null;
    }
    return batch;
  }

  private void runBatch(List<Slot> collected) {
    // a request may have timed out while its batch waited for company: drop it rather than compute it
    long now = System.nanoTime();
    List<Slot> batch = new ArrayList<>(collected.size());
    for (Slot s : collected) {
      if (s.job().abandoned || now > s.job().deadlineNanos) {
        metrics.queuedWindows.decrementAndGet();
        drop(s.job());
      } else {
        batch.add(s);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    List<AlignedSentence> windows = new ArrayList<>(batch.size());
    long real = 0;
    int longest = 0;
    for (Slot s : batch) {
      AlignedSentence w = s.job().windows.get(s.window());
      windows.add(w);
      real += w.length();
      longest = Math.max(longest, w.length());
    }
    long computed = packed ? real : (long) longest * batch.size();
    metrics.queuedWindows.addAndGet(-batch.size());
    metrics.batches.increment();
    metrics.batchSequences.observe(batch.size());
    metrics.batchTokens.observe(computed);
    metrics.tokens.add(real);
    metrics.paddingTokens.add(computed - real);
    List<float[][]> rows;
    try {
      rows = model.tokenProbabilities(windows);
    } catch (RuntimeException | Error e) {
      LOG.error("forward pass of {} windows failed", batch.size(), e);
      RuntimeException failure = new IllegalStateException("the model failed on a batch: " + e);
      batch.stream().map(Slot::job).distinct().forEach(j -> fail(j, failure));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Job job = batch.get(i).job();
      job.rows[batch.get(i).window()] = rows.get(i);
      if (++job.done == job.windows.size()) {
        job.result.complete(Arrays.asList(job.rows));
      }
    }
  }

  private void drop(Job job) {
    metrics.queuedWindows.addAndGet(-(job.windows.size() - job.next));
    job.next = job.windows.size();
    job.result.completeExceptionally(new TimedOut("the request timed out in the queue"));
  }

  private void fail(Job job, RuntimeException e) {
    metrics.queuedWindows.addAndGet(-(job.windows.size() - job.next));
    job.next = job.windows.size();
    job.result.completeExceptionally(e);
  }

  /** Stops taking work, lets the worker finish the queue, and waits for it. */
  @Override
  public void close() {
    closing = true;
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
