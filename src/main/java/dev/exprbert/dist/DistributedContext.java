package dev.exprbert.dist;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;

/**
 * This process's place in a data-parallel run and the collectives the run needs, on PyTorch's c10d: the rendezvous
 * {@code TCPStore} ({@link Rendezvous}), a Gloo process group for CPU tensors (counts, gathered predictions, RNG
 * states) and the group that reduces the gradients (the same Gloo group, or NCCL for CUDA tensors). A single process
 * is {@link #single()}: rank 0 of 1, every collective returns its input, nothing is started.
 *
 * <p>Every collective is numbered, waits at most {@code ddp_timeout}, and fails with a {@link DistributedException}
 * naming the rank to blame ([note: heartbeats] in {@link Liveness}). Collectives must be called by every rank in the
 * same order, as c10d requires. One thread drives the collectives; the heartbeat thread only talks to the store.
 *
 * <p>Create it from the environment ({@link #fromEnvironment}), hand it to the {@code Trainer}, close it after the
 * last collective: rank 0, which hosts the store, waits then until every rank has left.
 */
public final class DistributedContext implements AutoCloseable {
  private final LaunchEnvironment env;
  private final DistributedBackend backend;
  private final Duration timeout;
  private final TCPStore store;
  private final Liveness liveness;
  private final Backend cpuGroup;
  private final Backend deviceGroup;
  private long shares;
  private boolean failed;
  private boolean closed;

  private DistributedContext(LaunchEnvironment env, DistributedBackend backend, Duration timeout, TCPStore store,
      Liveness liveness, Backend cpuGroup, Backend deviceGroup) {
    this.env = env;
    this.backend = backend;
    this.timeout = timeout;
    this.store = store;
    this.liveness = liveness;
    this.cpuGroup = cpuGroup;
    this.deviceGroup = deviceGroup;
  }

  /** A single process: rank 0 of 1, collectives return their input. */
  public static DistributedContext single() {
    return new DistributedContext(null, DistributedBackend.GLOO, Duration.ofSeconds(1), null, null, null, null);
  }

  /**
   * The context the environment describes: {@link #single()} when neither {@code RANK} nor {@code WORLD_SIZE} is set,
   * otherwise this rank joined to the run ({@link #connect}). {@code GLOO_SOCKET_IFNAME} (torch's name) picks the
   * network interface Gloo uses.
   *
   * @param backend the gradients' process group, or null for Hugging Face's default for {@code device}
   * @param device where the model trains (NCCL needs CUDA)
   * @throws LaunchException when the torchrun variables are incomplete or out of range
   * @throws DistributedException when the rendezvous fails (port in use, master unreachable, a rank missing)
   */
  public static DistributedContext fromEnvironment(Map<String, String> environment, DistributedBackend backend,
      Placement device, Duration timeout) {
    LaunchEnvironment launch = LaunchEnvironment.read(environment);
    if (launch == null) {
      return single();
    }
    return connect(launch, backend, device, timeout, environment.get("GLOO_SOCKET_IFNAME"));
  }

  /** {@link #fromEnvironment(Map, DistributedBackend, Placement, Duration)} of this process's environment. */
  public static DistributedContext fromEnvironment(DistributedBackend backend, Placement device, Duration timeout) {
    return fromEnvironment(System.getenv(), backend, device, timeout);
  }

  /**
   * Joins the run {@code env} describes: the store, the rendezvous of every rank, the heartbeats, then the process
   * groups, each within {@code timeout}.
   *
   * @param glooInterface the network interface for Gloo, or null (loopback when the master is local, else the
   *     interface of this host's name, as torch picks it)
   */
  public static DistributedContext connect(LaunchEnvironment env, DistributedBackend backend, Placement device,
      Duration timeout, String glooInterface) {
    Objects.requireNonNull(env, "env");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new LaunchException("ddp_timeout must be positive, found " + timeout.toSeconds() + " s");
    }
    DistributedBackend chosen = backend != null ? backend : DistributedBackend.defaultFor(device.isCuda());
    if (chosen == DistributedBackend.NCCL && !device.isCuda()) {
      throw new LaunchException("ddp_backend nccl reduces CUDA tensors only, but the device is " + device.device()
          + ": use --ddp_backend gloo on the CPU, or --device cuda");
    }
    Natives.init();
    TCPStore store = Rendezvous.open(env, timeout);
    String address = env.masterAddr() + ":" + env.masterPort();
    Liveness liveness = new Liveness(store.clone(), env.rank(), env.worldSize(), timeout, address);
    try {
      Rendezvous.join(store, env, timeout);
      Backend gloo = gloo(store, env, timeout, glooInterface);
      Backend gradients = chosen == DistributedBackend.NCCL ? nccl(store, env, timeout) : gloo;
      return new DistributedContext(env, chosen, timeout, store, liveness, gloo, gradients);
    } catch (DistributedException e) {
      liveness.close();
      throw e;
    } catch (RuntimeException e) {
      liveness.close();
      throw liveness.failure("building the process group", 0, System.nanoTime(), e);
    }
  }

  private static Backend gloo(Store store, LaunchEnvironment env, Duration timeout, String glooInterface) {
    try (Milliseconds millis = new Milliseconds(timeout.toMillis())) {
      ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(millis);
      org.bytedeco.pytorch.gloo.Device device;
      if (glooInterface != null && !glooInterface.isBlank()) {
        device = ProcessGroupGloo.createDeviceForInterface(glooInterface.split(",")[0].strip());
      } else if (isLoopback(env.masterAddr())) {
        device = ProcessGroupGloo.createDeviceForHostname("127.0.0.1"); // every rank is on this machine
      } else {
        device = ProcessGroupGloo.createDefaultDevice();
      }
      options.devices(new GlooDeviceVector(device));
      return new ProcessGroupGloo(new PrefixStore(Rendezvous.PREFIX + "gloo", store), env.rank(), env.worldSize(), options);
    }
  }

  private static Backend nccl(Store store, LaunchEnvironment env, Duration timeout) {
    try (Milliseconds millis = new Milliseconds(timeout.toMillis())) {
      ProcessGroupNCCL.Options options = ProcessGroupNCCL.Options.create();
      options.timeout(millis);
      return new ProcessGroupNCCL(new PrefixStore(Rendezvous.PREFIX + "nccl", store), env.rank(), env.worldSize(), options);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      throw new DistributedException("ddp_backend nccl needs the GPU build of LibTorch (the linux-x86_64-gpu natives:"
          + " build with -Pgpu) and a CUDA device; these natives have no NCCL (" + e + ")", List.of(), e);
    }
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (Exception e) {
      return false;
    }
  }

  public int rank() {
    return env != null ? env.rank() : 0;
  }

  public int worldSize() {
    return env != null ? env.worldSize() : 1;
  }

  public int localRank() {
    return env != null ? env.localRank() : 0;
  }

  /** Rank 0, the one that writes checkpoints, logs and the run's files. */
  public boolean isMain() {
    return rank() == 0;
  }

  /** Whether this process takes part in a launched run (even of one rank), with a store and process groups. */
  public boolean isLaunched() {
    return env != null;
  }

  /** The gradients' process group kind. */
  public DistributedBackend backend() {
    return backend;
  }

  public Duration timeout() {
    return timeout;
  }

  /** {@code placement} for this rank: {@code cuda} without an index becomes {@code cuda:LOCAL_RANK}. */
  public Placement placementFor(Placement placement) {
    if (env == null || !placement.device().equals("cuda")) {
      return placement;
    }
    return new Placement("cuda:" + env.localRank(), placement.precision());
  }

  /** A collective in flight: {@link #await} it (in launch order) before reading its tensors. */
  public final class Pending implements AutoCloseable {
    private final String what;
    private final long number;
    private final long startedAt;
    private final Work work;
    private final TensorVector tensors;

    private Pending(String what, long number, long startedAt, Work work, TensorVector tensors) {
      this.what = what;
      this.number = number;
      this.startedAt = startedAt;
      this.work = work;
      this.tensors = tensors;
    }

    /** Waits until the collective is done (on the GPU: until the current stream waits for it). */
    public void await() {
      if (work == null) {
        return;
      }
      boolean done;
      try {
        done = work._wait();
      } catch (RuntimeException e) {
        failed = true;
        throw liveness.failure(what, number, startedAt, e);
      }
      if (!done) {
        failed = true;
        throw liveness.failure(what, number, startedAt, null);
      }
    }

    @Override
    public void close() {
      if (work != null) {
        work.close();
        tensors.close();
      }
    }
  }

  /**
   * Starts the sum of {@code tensor} over every rank, in place, on the gradients' group. The tensor must stay alive
   * until the returned collective is awaited. Safe to call inside a PointerScope: the collective outlives it.
   */
  public Pending allReduceAsync(Tensor tensor, String what) {
    return launch(deviceGroup, what, tensors -> deviceGroup.allreduce(tensors, new AllreduceOptions()), tensor);
  }

  /** Sums {@code values} over every rank (on the CPU group); returns the sums. */
  public long[] allReduceSum(long[] values, String what) {
    if (cpuGroup == null) {
      return values.clone();
    }
    try (Tensor t = Tensors.longs(values, values.length);
        Pending p = launch(cpuGroup, what, tensors -> cpuGroup.allreduce(tensors, new AllreduceOptions()), t)) {
      p.await();
      return Tensors.toLongArray(t);
    }
  }

  /** Every rank's {@code values} (lengths may differ), indexed by rank. */
  public long[][] allGather(long[] values, String what) {
    if (cpuGroup == null) {
      return new long[][] {values.clone()};
    }
    long[] lengths = new long[worldSize()];
    lengths[rank()] = values.length;
    lengths = allReduceSum(lengths, what + " (lengths)");
    int longest = 0;
    for (long n : lengths) {
      longest = (int) Math.max(longest, n);
    }
    long[] all = new long[worldSize() * longest];
    System.arraycopy(values, 0, all, rank() * longest, values.length);
    all = allReduceSum(all, what);
    long[][] out = new long[worldSize()][];
    for (int r = 0; r < out.length; r++) {
      out[r] = java.util.Arrays.copyOfRange(all, r * longest, r * longest + (int) lengths[r]);
    }
    return out;
  }

  /** Overwrites {@code tensors} on every rank with rank {@code root}'s, in place (on the gradients' group). */
  public void broadcast(List<Tensor> tensors, int root, String what) {
    if (deviceGroup == null) {
      return;
    }
    List<Pending> pending = new ArrayList<>(tensors.size());
    try {
      for (Tensor t : tensors) {
        pending.add(launch(deviceGroup, what, v -> {
          try (BroadcastOptions options = new BroadcastOptions()) {
            return deviceGroup.broadcast(v, options.rootRank(root));
          }
        }, t));
      }
      for (Pending p : pending) {
        p.await();
      }
    } finally {
      pending.forEach(Pending::close);
    }
  }

  /** Waits until every rank has called it. */
  public void barrier(String what) {
    if (cpuGroup == null) {
      return;
    }
    try (Pending p = launch(cpuGroup, what, v -> cpuGroup.barrier(), null)) {
      p.await();
    }
  }

  /**
   * Rank 0's {@code value} on every rank, through the store (for a decision only rank 0 can take, such as the
   * checkpoint to resume from); the other ranks wait for it at most {@code ddp_timeout}.
   */
  public String shareFromMain(String name, Supplier<String> value) {
    if (store == null) {
      return value.get();
    }
    String key = Rendezvous.PREFIX + "share/" + (++shares) + "/" + name;
    long startedAt = System.nanoTime();
    try {
      if (isMain()) {
        String v = value.get();
        store.set(key, v);
        return v;
      }
      return store.get_to_str(key);
    } catch (DistributedException | IllegalArgumentException | IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      failed = true;
      throw liveness.failure("waiting for rank 0's " + name, 0, startedAt, e);
    }
  }

  @FunctionalInterface
  private interface Collective {
    Work start(TensorVector tensors);
  }

  private Pending launch(Backend group, String what, Collective collective, Tensor tensor) {
    if (group == null) {
      return new Pending(what, 0, 0, null, null);
    }
    long number = liveness.started();
    long startedAt = System.nanoTime();
    try (PointerScope scope = new PointerScope()) {
      TensorVector tensors = tensor != null ? new TensorVector(tensor) : new TensorVector();
      Work work = collective.start(tensors);
      return new Pending(what, number, startedAt, Tensors.outlive(scope, work), Tensors.outlive(scope, tensors));
    } catch (RuntimeException e) {
      failed = true;
      throw liveness.failure(what, number, startedAt, e);
    }
  }

  /**
   * Stops the heartbeat; after a run that ended well, marks this rank as gone and, on rank 0 (whose process hosts
   * the store), waits until every rank has, so no rank loses the store while it still needs it.
   */
  @Override
  public void close() {
    if (closed || store == null) {
      closed = true;
      return;
    }
    closed = true;
    liveness.close();
    if (failed) {
      return; // the process is about to fail: waiting for ranks that may be gone would only delay that
    }
    String left = Rendezvous.PREFIX + "left";
    try {
      long gone = store.add(left, 1);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (isMain() && gone < worldSize() && System.nanoTime() < deadline) {
        Rendezvous.sleep(10);
        gone = store.add(left, 0);
      }
    } catch (RuntimeException e) {
      // leaving is best effort: a rank that cannot reach the store any more has nothing left to tell it
    }
    // The process groups and the store are not deleted here: LibTorch holds them through intrusive_ptr (each group
    // keeps its PrefixStore, which keeps the store), so deleting them from Java frees them a second time and corrupts
    // the native heap (seen as "corrupted double-linked list" when the ranks of a test share one JVM). They live
    // until the process ends, as torch.distributed's default group does without destroy_process_group().
  }
}
