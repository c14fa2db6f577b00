package dev.exprbert.dist;

import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The gradient all-reduce of a data-parallel step, DistributedDataParallel's reducer: parameters are grouped into
 * buckets in the order the backward finishes them; when a bucket's gradients are final ({@link #ready}), they are
 * copied into the bucket's flat buffer and its sum over the ranks starts, while the backward of the layers below goes
 * on; {@link #finish} starts what is left, waits for every bucket in order and copies the sums back into the
 * gradients. Every rank starts the buckets in the same fixed order, whatever its timing, so c10d pairs the same
 * buckets and the sums are the same on every rank and in every run.
 *
 * <p>Sums, not means: the training step divides each rank's loss by the labelled tokens of all ranks, so the sum of
 * the ranks' gradients is the gradient of the whole global batch. A parameter whose gradient is undefined on a rank
 * (a rank with no data in the step) counts as zeros there and receives the sum. Buckets hold one dtype each (a
 * group with several is split). The flat buffers are allocated once; the instance owns them.
 */
public final class BucketedAllReduce implements AutoCloseable {
  private record Bucket(String name, int group, List<Tensor> params, long[] offsets, Tensor flat) {}

  private final DistributedContext context;
  private final List<Bucket> buckets = new ArrayList<>();
  private final List<DistributedContext.Pending> inFlight = new ArrayList<>();
  private int launched;
  private boolean overlap = true;
  private long waitNanos;
  private long steps;

  /**
   * @param groups parameters by group, in the order the backward finishes them (group {@code g} is what
   *     {@link #ready}{@code (g)} says is final)
   * @param names a name for each group, for error messages
   */
  public BucketedAllReduce(DistributedContext context, List<List<Tensor>> groups, List<String> names) {
    this.context = context;
    if (groups.size() != names.size()) {
      throw new IllegalArgumentException(groups.size() + " groups but " + names.size() + " names");
    }
    for (int g = 0; g < groups.size(); g++) {
      Map<Integer, List<Tensor>> byType = new LinkedHashMap<>();
      for (Tensor p : groups.get(g)) {
        byType.computeIfAbsent((int) p.scalar_type().value, k -> new ArrayList<>()).add(p);
      }
      for (List<Tensor> params : byType.values()) {
        buckets.add(bucket(names.get(g), g, params));
      }
    }
  }

  private static Bucket bucket(String name, int group, List<Tensor> params) {
    long[] offsets = new long[params.size() + 1];
    for (int i = 0; i < params.size(); i++) {
      offsets[i + 1] = offsets[i] + params.get(i).numel();
    }
    try (PointerScope scope = new PointerScope()) {
      Tensor first = params.get(0);
      TensorOptions options = new TensorOptions(first.scalar_type()).device(new org.bytedeco.pytorch.DeviceOptional(first.device()));
      Tensor flat = Tensors.outlive(scope, Tensors.empty(new long[] {offsets[params.size()]}, options));
      return new Bucket(name, group, List.copyOf(params), offsets, flat);
    }
  }

  /**
   * Whether {@link #ready} starts a bucket at once (the default) or {@link #finish} starts them all: without overlap,
   * the wait in {@code finish} is the whole all-reduce time (a benchmark's baseline).
   */
  public BucketedAllReduce overlap(boolean on) {
    this.overlap = on;
    return this;
  }

  /** Group {@code group}'s gradients are final on this rank: starts its buckets and every earlier one not started. */
  public void ready(int group) {
    if (!overlap) {
      return;
    }
    while (launched < buckets.size() && buckets.get(launched).group() <= group) {
      start(buckets.get(launched++));
    }
  }

  /** Starts the buckets not started yet, waits for all in order, and writes the sums into the gradients. */
  public void finish() {
    try {
      while (launched < buckets.size()) {
        start(buckets.get(launched++));
      }
      long t0 = System.nanoTime();
      for (DistributedContext.Pending p : inFlight) {
        p.await();
      }
      waitNanos += System.nanoTime() - t0;
      steps++;
      for (Bucket b : buckets) {
        scatter(b);
      }
    } finally {
      inFlight.forEach(DistributedContext.Pending::close);
      inFlight.clear();
      launched = 0;
    }
  }

  private void start(Bucket b) {
    try (PointerScope scope = new PointerScope()) {
      for (int i = 0; i < b.params().size(); i++) {
        Tensor grad = b.params().get(i).grad();
        Tensor slot = b.flat().narrow(0, b.offsets()[i], b.offsets()[i + 1] - b.offsets()[i]);
        if (grad.defined()) {
          slot.copy_(grad.reshape(-1));
        } else {
          slot.zero_();
        }
      }
    }
    inFlight.add(context.allReduceAsync(b.flat(), "the gradient all-reduce of " + b.name()));
  }

  private static void scatter(Bucket b) {
    try (PointerScope scope = new PointerScope()) {
      for (int i = 0; i < b.params().size(); i++) {
        Tensor param = b.params().get(i);
        Tensor sum = b.flat().narrow(0, b.offsets()[i], b.offsets()[i + 1] - b.offsets()[i]).view(param.sizes().vec().get());
        Tensor grad = param.grad();
        if (grad.defined()) {
          grad.copy_(sum);
        } else {
          param.mutable_grad().put(sum.clone());
        }
      }
    }
  }

  /** Nanoseconds {@link #finish} spent waiting for the sums, over every step so far (what the overlap did not hide). */
  public long waitNanos() {
    return waitNanos;
  }

  /** Steps finished so far. */
  public long steps() {
    return steps;
  }

  /** Number of buckets (groups split by dtype). */
  public int bucketCount() {
    return buckets.size();
  }

  @Override
  public void close() {
    inFlight.forEach(DistributedContext.Pending::close);
    inFlight.clear();
    buckets.forEach(b -> b.flat().close());
  }
}
