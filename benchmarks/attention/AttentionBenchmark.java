package benchmarks.attention;

import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.kernels.AttentionBatch;
import dev.exprbert.kernels.AttentionKernels;
import dev.exprbert.kernels.AttentionOptions;
import dev.exprbert.kernels.AttentionWindow;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * CPU attention forward+backward, all in one run: our fused kernel vs LibTorch eager (matmul/softmax with
 * autograd) vs LibTorch sdpa (with autograd), at BERT-base (heads 12, dim 64) and MiniLM (12 x 32) shapes with
 * batch 8 x seq 128, then on the real sentence lengths of ../shared/data/semeval22-opener_en/expression/train.conll
 * (MiniLM sub-tokens, batches of 8 in a seeded shuffle): fused packed (varlen) vs fused padded vs sdpa padded.
 * Reports median ms and the ratios; FLOPs: forward 4*S^2*H*D per sequence, backward 2.5x. Then a sliding window
 * (ModernBERT's local layers: local_attention 128, a window of 64 each side) against full attention at seq 512,
 * fused padded and packed, and eager with its explicit window mask. The argument {@code window} runs only that
 * case. Not a unit test.
 */
public final class AttentionBenchmark {
  private static final int WARMUP = 2;
  private static final int MEASURED = 5;

  public static void main(String[] args) throws Exception {
    NativeKernels.load();
    torch.manual_seed(0);
    if (Arrays.asList(args).contains("window")) {
      System.out.printf("threads: %d intra-op; load average at start: %s%n", torch.get_num_threads(), loadAverage());
      window(4, 512, 12, 64, AttentionWindow.symmetric(64));
      System.out.printf("load average at end: %s%n", loadAverage());
      return;
    }
    if (Arrays.asList(args).contains("spin")) {
      for (int dim : new int[] {64, 32}) {
        spinCheck(8, 128, 12, dim);
      }
      return;
    }
    System.out.printf("threads: %d intra-op; load average at start: %s%n", torch.get_num_threads(), loadAverage());
    for (int dim : new int[] {64, 32}) {
      fixedShape(8, 128, 12, dim);
    }
    openerLengths(12, 32);
    openerLengths(12, 64);
    window(4, 512, 12, 64, AttentionWindow.symmetric(64));
    System.out.printf("load average at end: %s%n", loadAverage());
  }

  interface Body {
    void run();
  }

  /**
   * Median ms of each body over MEASURED rounds after WARMUP rounds; each round runs every body once, in turn,
   * so that all of them see the same background load (the build machine is shared) and their ratios hold up
   * even when the absolute times drift.
   */
  static double[] mediansMs(Body... bodies) {
    double[][] t = new double[bodies.length][MEASURED];
    for (int i = 0; i < WARMUP + MEASURED; i++) {
      for (int b = 0; b < bodies.length; b++) {
        long start = System.nanoTime();
        try (PointerScope scope = new PointerScope()) {
          bodies[b].run();
        }
        if (i >= WARMUP) {
          t[b][i - WARMUP] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    double[] medians = new double[bodies.length];
    for (int b = 0; b < bodies.length; b++) {
      Arrays.sort(t[b]);
      medians[b] = t[b][MEASURED / 2];
    }
    return medians;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  static Tensor randn(long... shape) {
    return torch.randn(shape);
  }

  /** eager or sdpa on [B,H,S,D] views with autograd: forward then backward of dout. */
  static void libtorch(AttentionBackend backend, Tensor q, Tensor k, Tensor v, Tensor dout, AttentionMask mask) {
    libtorch(backend, q, k, v, dout, mask, AttentionWindow.NONE);
  }

  static void libtorch(AttentionBackend backend, Tensor q, Tensor k, Tensor v, Tensor dout, AttentionMask mask,
      AttentionWindow window) {
    Tensor qh = q.detach().requires_grad_(true);
    Tensor kh = k.detach().requires_grad_(true);
    Tensor vh = v.detach().requires_grad_(true);
    Tensor out = backend.attend(qh, kh, vh, mask, window, 0.0, false, null);
    dev.exprbert.autograd.LayerwiseBackward.backward(new TensorVector(out), new TensorVector(dout));
  }

  static void fusedPadded(Tensor q, Tensor k, Tensor v, Tensor dout, Tensor lens, long heads, long seq, long dim) {
    fusedPadded(q, k, v, dout, lens, heads, seq, dim, AttentionWindow.NONE);
  }

  static void fusedPadded(Tensor q, Tensor k, Tensor v, Tensor dout, Tensor lens, long heads, long seq, long dim,
      AttentionWindow window) {
    long batch = q.size(0);
    Tensor out = torch.empty_like(q);
    Tensor lse;
    try (TensorOptions f = new TensorOptions(torch.ScalarType.Float)) {
      lse = Tensors.empty(new long[] {batch, heads, seq}, f);
    }
    AttentionBatch b = AttentionBatch.padded(lens);
    AttentionOptions o = AttentionOptions.noDropout(dim).withWindow(window);
    AttentionKernels.forward(q, k, v, out, lse, b, o);
    AttentionKernels.backward(dout, q, k, v, out, lse, torch.empty_like(q), torch.empty_like(k), torch.empty_like(v), null, b, o);
  }

  static void fusedPacked(Tensor q, Tensor k, Tensor v, Tensor dout, Tensor cu, long maxLen, long heads, long dim) {
    fusedPacked(q, k, v, dout, cu, maxLen, heads, dim, AttentionWindow.NONE);
  }

  static void fusedPacked(Tensor q, Tensor k, Tensor v, Tensor dout, Tensor cu, long maxLen, long heads, long dim,
      AttentionWindow window) {
    Tensor out = torch.empty_like(q);
    Tensor lse;
    try (TensorOptions f = new TensorOptions(torch.ScalarType.Float)) {
      lse = Tensors.empty(new long[] {heads, q.size(0)}, f);
    }
    AttentionBatch b = AttentionBatch.varlen(cu, maxLen);
    AttentionOptions o = AttentionOptions.noDropout(dim).withWindow(window);
    AttentionKernels.forward(q, k, v, out, lse, b, o);
    AttentionKernels.backward(dout, q, k, v, out, lse, torch.empty_like(q), torch.empty_like(k), torch.empty_like(v), null, b, o);
  }

  /** Random q, k, v, dout [batch, seq, heads, dim] with every row real: lengths, an all-ones mask. */
  record FullBatch(Tensor q, Tensor k, Tensor v, Tensor dout, Tensor lens, AttentionMask mask) {
    static FullBatch of(int batch, int seq, int heads, int dim) {
      long[] ones = new long[batch * seq];
      Arrays.fill(ones, 1);
      long[] full = new long[batch];
      Arrays.fill(full, seq);
      return new FullBatch(randn(batch, seq, heads, dim), randn(batch, seq, heads, dim), randn(batch, seq, heads, dim),
          randn(batch, seq, heads, dim), Tensors.longs(full, batch).to(torch.ScalarType.Int),
          AttentionMask.fromPadding(Tensors.longs(ones, batch, seq), torch.ScalarType.Float));
    }
  }

  static void fixedShape(int batch, int seq, int heads, int dim) {
    FullBatch f = FullBatch.of(batch, seq, heads, dim);
    Tensor q = f.q(), k = f.k(), v = f.v(), dout = f.dout(), lens = f.lens();
    AttentionMask mask = f.mask();
    double[] ms = mediansMs(() -> libtorch(AttentionBackend.named("eager"), q, k, v, dout, mask),
        () -> libtorch(AttentionBackend.named("sdpa"), q, k, v, dout, mask),
        () -> fusedPadded(q, k, v, dout, lens, heads, seq, dim));
    double eager = ms[0];
    double sdpa = ms[1];
    double fused = ms[2];
    double gflop = 3.5 * 4.0 * batch * (double) seq * seq * heads * dim / 1e9;
    System.out.printf("B=%d S=%d H=%d D=%d fwd+bwd: fused %.1f ms (%.1f GFLOP/s), eager %.1f ms, sdpa %.1f ms ->"
        + " fused/eager %.2fx, fused/sdpa %.2fx%n", batch, seq, heads, dim, fused, gflop / fused * 1e3, eager, sdpa,
        eager / fused, sdpa / fused);
  }

  /**
   * Local against full attention on full-length rows of {@code seq} tokens, all timed in one interleaved run: fused
   * padded (local, full), fused packed (local, full), eager with the explicit window mask (local, full). The fused
   * local call does about {@code (2 * half + 1) / seq} of the full call's score work plus the block edges
   * (its key blocks of 64 start at multiples of 16), so the ratio shows whether the O(seq * window) saving arrives.
   */
  static void window(int batch, int seq, int heads, int dim, AttentionWindow window) {
    FullBatch f = FullBatch.of(batch, seq, heads, dim);
    Tensor q = f.q(), k = f.k(), v = f.v(), dout = f.dout(), lens = f.lens();
    AttentionMask mask = f.mask();
    long[] cu = new long[batch + 1];
    for (int b = 0; b < batch; b++) {
      cu[b + 1] = cu[b] + seq;
    }
    Tensor cuT = Tensors.longs(cu, batch + 1).to(torch.ScalarType.Int);
    Tensor qp = q.reshape(batch * seq, heads, dim);
    Tensor kp = k.reshape(batch * seq, heads, dim);
    Tensor vp = v.reshape(batch * seq, heads, dim);
    Tensor doutp = dout.reshape(batch * seq, heads, dim);
    AttentionBackend eager = AttentionBackend.named("eager");
    double[] ms = mediansMs(() -> fusedPadded(q, k, v, dout, lens, heads, seq, dim, window),
        () -> fusedPadded(q, k, v, dout, lens, heads, seq, dim, AttentionWindow.NONE),
        () -> fusedPacked(qp, kp, vp, doutp, cuT, seq, heads, dim, window),
        () -> fusedPacked(qp, kp, vp, doutp, cuT, seq, heads, dim, AttentionWindow.NONE),
        () -> libtorch(eager, q, k, v, dout, mask, window),
        () -> libtorch(eager, q, k, v, dout, mask, AttentionWindow.NONE));
    long visible = 0;
    for (long i = 0; i < seq; i++) {
      visible += Math.min(seq - 1, i + window.right()) - Math.max(0, i - window.left()) + 1;
    }
    System.out.printf("B=%d S=%d H=%d D=%d %s fwd+bwd: fused padded local %.1f ms vs full %.1f ms -> %.2fx;"
        + " fused packed local %.1f vs full %.1f -> %.2fx; eager local %.1f vs full %.1f -> %.2fx; fused local vs"
        + " eager local %.2fx (local layer sees %.1f%% of the full score matrix)%n", batch, seq, heads, dim, window, ms[0],
        ms[1], ms[1] / ms[0], ms[2], ms[3], ms[3] / ms[2], ms[4], ms[5], ms[5] / ms[4], ms[4] / ms[0],
        100.0 * visible / ((double) seq * seq));
  }

  /**
   * The fused forward+backward alone, then right after a LibTorch matmul: LibTorch's OpenMP workers spin-wait
   * for a while after each op (libgomp's default), and our kernel's std::threads then share the cores with them.
   * Run with and without OMP_WAIT_POLICY=PASSIVE to see how much of the benchmark's fused time that is.
   */
  static void spinCheck(int batch, int seq, int heads, int dim) {
    FullBatch f = FullBatch.of(batch, seq, heads, dim);
    Tensor q = f.q(), k = f.k(), v = f.v(), dout = f.dout(), lens = f.lens();
    Tensor a = randn(batch * seq, heads * dim);
    Tensor w = randn(heads * dim, heads * dim);
    double[] ms = mediansMs(() -> fusedPadded(q, k, v, dout, lens, heads, seq, dim), () -> { });
    double alone = ms[0];
    double[] after = mediansMs(() -> torch.matmul(a, w), () -> fusedPadded(q, k, v, dout, lens, heads, seq, dim));
    System.out.printf("B=%d S=%d H=%d D=%d fused fwd+bwd alone %.1f ms, right after a LibTorch matmul %.1f ms"
        + " (OMP_WAIT_POLICY=%s)%n", batch, seq, heads, dim, alone, after[1], System.getenv("OMP_WAIT_POLICY"));
  }

  static void openerLengths(int heads, int dim) throws Exception {
    Path opener = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "train.conll");
    Path tok = Files.createTempDirectory("exprbert-bench-tok");
    try (InputStream in = AttentionBenchmark.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
      Files.copy(in, tok.resolve("tokenizer.json"));
    }
    List<Integer> lengths = new ArrayList<>();
    try (ModelTokenizer tokenizer = TokenizerLoader.load(tok)) {
      SubwordAligner aligner = new SubwordAligner(tokenizer, null, false);
      for (LabeledSentence s : SentenceReaders.readAll(opener, dev.exprbert.data.ReaderOptions.DEFAULTS)) {
        lengths.add(Math.min(512, aligner.align(s.words()).length()));
      }
    }
    Collections.shuffle(lengths, new Random(42));
    int batchSize = 8;
    double padded = 0;
    double packed = 0;
    double sdpa = 0;
    long realTokens = 0;
    long paddedTokens = 0;
    int batches = 0;
    for (int start = 0; start + batchSize <= lengths.size() && batches < 40; start += batchSize, batches++) {
      List<Integer> batch = lengths.subList(start, start + batchSize);
      int max = Collections.max(batch);
      int total = batch.stream().mapToInt(Integer::intValue).sum();
      realTokens += total;
      paddedTokens += (long) max * batchSize;
      long[] lens = batch.stream().mapToLong(Integer::longValue).toArray();
      long[] cu = new long[batchSize + 1];
      long[] mask = new long[batchSize * max];
      for (int b = 0; b < batchSize; b++) {
        cu[b + 1] = cu[b] + lens[b];
        for (int t = 0; t < lens[b]; t++) {
          mask[b * max + t] = 1;
        }
      }
      Tensor q = randn(batchSize, max, heads, dim), k = randn(batchSize, max, heads, dim), v = randn(batchSize, max, heads, dim);
      Tensor dout = randn(batchSize, max, heads, dim);
      Tensor qp = randn(total, heads, dim), kp = randn(total, heads, dim), vp = randn(total, heads, dim), doutp = randn(total, heads, dim);
      Tensor lensT = Tensors.longs(lens, batchSize).to(torch.ScalarType.Int);
      Tensor cuT = Tensors.longs(cu, batchSize + 1).to(torch.ScalarType.Int);
      AttentionMask m = AttentionMask.fromPadding(Tensors.longs(mask, batchSize, max), torch.ScalarType.Float);
      double[] ms = mediansMs(() -> fusedPadded(q, k, v, dout, lensT, heads, max, dim),
          () -> fusedPacked(qp, kp, vp, doutp, cuT, max, heads, dim),
          () -> libtorch(AttentionBackend.named("sdpa"), q, k, v, dout, m));
      padded += ms[0];
      packed += ms[1];
      sdpa += ms[2];
    }
    System.out.printf("OpeNER train lengths (MiniLM sub-tokens), %d batches of %d, H=%d D=%d: real tokens %.1f%% of"
        + " padded; fused packed %.1f ms, fused padded %.1f ms, sdpa padded %.1f ms -> packed/padded %.2fx,"
        + " packed/sdpa %.2fx%n", batches, batchSize, heads, dim, 100.0 * realTokens / paddedTokens, packed, padded, sdpa,
        padded / packed, sdpa / packed);
  }
}
