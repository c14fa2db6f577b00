package dev.exprbert.model.attention;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionOptions;
import dev.exprbert.kernels.AttentionWindow;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sliding window (local attention) through the three backends: eager against a naive loop reference, then
 * fused (padded and packed) and sdpa against eager, forward and backward (dropout off), on a batch whose short
 * sequence has padding query rows with no real key in their window. Also: {@link AttentionWindow#NONE} is the call
 * without a window, a backend without windows refuses a limited one, and bad window sides are refused.
 */
class SlidingWindowAttentionTest {
  private static final long B = 3, S = 23, H = 2, D = 16;
  private static final long[] LENGTHS = {23, 5, 14};
  private static final long TOTAL = 23 + 5 + 14;
  // Local, one-sided (either side), only the diagonal, and a window that cuts one sequence but not the others.
  private static final List<AttentionWindow> WINDOWS = List.of(AttentionWindow.symmetric(3), new AttentionWindow(0, 4),
      new AttentionWindow(6, -1), AttentionWindow.symmetric(0), AttentionWindow.symmetric(9));
  private static final double TOLERANCE = 1e-5; // relative to each tensor's max |value|: float32 against float32

  private static Tensor q;
  private static Tensor k;
  private static Tensor v;
  private static Tensor weights; // the loss is sum(context * weights); zero on padding rows, whose outputs differ
  private static Tensor paddingMask;
  private static Tensor cuSeqlens;

  @BeforeAll
  static void inputs() {
    Natives.init();
    torch.manual_seed(11);
    q = torch.randn(B, S, H, D);
    k = torch.randn(B, S, H, D);
    v = torch.randn(B, S, H, D);
    long[] keep = new long[(int) (B * S)];
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < LENGTHS[b]; i++) {
        keep[(int) (b * S + i)] = 1;
      }
    }
    paddingMask = Tensors.longs(keep, B, S);
    try (Tensor random = torch.randn(B, S, H, D); Tensor realRows = paddingMask.view(B, S, 1, 1).to(ScalarType.Float)) {
      weights = random.mul(realRows);
    }
    try (Tensor cu = Tensors.longs(new long[] {0, LENGTHS[0], LENGTHS[0] + LENGTHS[1], TOTAL}, B + 1)) {
      cuSeqlens = cu.to(ScalarType.Int);
    }
  }

  @AfterAll
  static void free() {
    for (Tensor t : new Tensor[] {q, k, v, weights, paddingMask, cuSeqlens}) {
      t.close();
    }
  }

  /** Context and gradients of the real rows, each [total_tokens, heads, head_dim]. */
  private record Result(float[] context, float[] dq, float[] dk, float[] dv) {}

  /** Forward (training mode, dropout 0) and backward of sum(context * weights) through {@code backend}. */
  private static Result run(AttentionBackend backend, AttentionWindow window, boolean packed) {
    try (Tensor q0 = packed ? pack(q) : q.clone();
        Tensor k0 = packed ? pack(k) : k.clone();
        Tensor v0 = packed ? pack(v) : v.clone();
        Tensor w = packed ? pack(weights) : weights.clone();
        AttentionMask mask = packed ? AttentionMask.packed(cuSeqlens, S)
            : AttentionMask.fromPadding(paddingMask, ScalarType.Float);
        LayerwiseBackward tape = new LayerwiseBackward()) {
      q0.requires_grad_(true);
      k0.requires_grad_(true);
      v0.requires_grad_(true);
      try (Tensor context = backend.attend(q0, k0, v0, mask, window, 0.0, true, tape);
          Tensor weighted = context.mul(w);
          Tensor loss = weighted.sum()) {
        tape.backward(loss);
        try (Tensor c = packed ? context.detach() : pack(context); Tensor dq = realRows(q0.grad(), packed);
            Tensor dk = realRows(k0.grad(), packed); Tensor dv = realRows(v0.grad(), packed)) {
          return new Result(Tensors.toFloatArray(c), Tensors.toFloatArray(dq), Tensors.toFloatArray(dk),
              Tensors.toFloatArray(dv));
        }
      }
    }
  }

  private static Tensor realRows(Tensor grad, boolean packed) {
    try (grad) {
      return packed ? grad.clone() : pack(grad);
    }
  }

  /** The real rows of a [B, S, H, D] tensor concatenated: [total, H, D]. */
  private static Tensor pack(Tensor padded) {
    Tensor[] parts = new Tensor[(int) B];
    try {
      for (int b = 0; b < B; b++) {
        parts[b] = padded.select(0, b).narrow(0, 0, LENGTHS[b]);
      }
      try (TensorVector vector = new TensorVector(parts)) {
        return torch.cat(vector);
      }
    } finally {
      for (Tensor part : parts) {
        if (part != null) {
          part.close();
        }
      }
    }
  }

  private static void assertSame(String what, Result actual, Result expected) {
    assertRelative(what + " context", actual.context, expected.context);
    // With only the diagonal in sight (P = 1) dq and dk are exactly 0, and each backend leaves its own rounding of
    // terms as large as dv's: measure them against a tenth of dv's scale, as the native tests do.
    double floor = 0.1 * TensorAssertions.maxAbs(expected.dv);
    assertRelative(what + " dq", actual.dq, expected.dq, floor);
    assertRelative(what + " dk", actual.dk, expected.dk, floor);
    assertRelative(what + " dv", actual.dv, expected.dv);
  }

  private static void assertRelative(String what, float[] actual, float[] expected) {
    assertRelative(what, actual, expected, 1e-6);
  }

  private static void assertRelative(String what, float[] actual, float[] expected, double floor) {
    assertClose(what, actual, expected, TOLERANCE * Math.max(floor, TensorAssertions.maxAbs(expected)));
  }

  /** Naive float64 loops: context of every real row with only the keys of its sequence and window. */
  private static float[] naiveContext(AttentionWindow window) {
    float[] qs = Tensors.toFloatArray(q);
    float[] ks = Tensors.toFloatArray(k);
    float[] vs = Tensors.toFloatArray(v);
    float[] out = new float[(int) (TOTAL * H * D)];
    int row = 0;
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < LENGTHS[b]; i++, row++) {
        for (int h = 0; h < H; h++) {
          double[] score = new double[(int) LENGTHS[b]];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < LENGTHS[b]; j++) {
            score[j] = Double.NEGATIVE_INFINITY;
            if (window.sees(i, j)) {
              double dot = 0;
              for (int d = 0; d < D; d++) {
                dot += (double) qs[at(b, i, h, d)] * ks[at(b, j, h, d)];
              }
              score[j] = dot / Math.sqrt(D);
              max = Math.max(max, score[j]);
            }
          }
          double sum = 0;
          for (int j = 0; j < LENGTHS[b]; j++) {
            sum += Math.exp(score[j] - max);
          }
          for (int d = 0; d < D; d++) {
            double value = 0;
            for (int j = 0; j < LENGTHS[b]; j++) {
              value += Math.exp(score[j] - max) / sum * vs[at(b, j, h, d)];
            }
            out[(int) ((row * H + h) * D + d)] = (float) value;
          }
        }
      }
    }
    return out;
  }

  private static int at(int b, int i, int h, int d) {
    return (int) (((b * S + i) * H + h) * D + d);
  }

  @Test
  void eagerFollowsTheNaiveLoopsAndTheWindowMatters() {
    Result full = run(new EagerAttention(), AttentionWindow.NONE, false);
    for (AttentionWindow window : WINDOWS) {
      Result eager = run(new EagerAttention(), window, false);
      assertRelative("eager " + window + " vs naive loops", eager.context, naiveContext(window));
      // not the global result: a backend that ignored the window could not pass the comparisons below
      assertTrue(TensorAssertions.maxAbsDiff(eager.context, full.context) > 0.05, window + " changed nothing");
    }
    assertRelative("eager without a window vs naive loops", full.context, naiveContext(AttentionWindow.NONE));
  }

  @Test
  void fusedPaddedAndPackedMatchEagerForwardAndBackward() {
    for (AttentionWindow window : WINDOWS) {
      Result eager = run(new EagerAttention(), window, false);
      assertSame("fused padded " + window, run(new FusedAttention(), window, false), eager);
      assertSame("fused packed " + window, run(new FusedAttention(), window, true), eager);
    }
  }

  @Test
  void sdpaMatchesEagerForwardAndBackward() {
    for (AttentionWindow window : WINDOWS) {
      assertSame("sdpa " + window, run(new SdpaAttention(), window, false), run(new EagerAttention(), window, false));
    }
  }

  @Test
  void paddingRowsWithAnEmptyWindowAreZeroInFusedAndFiniteInEager() {
    // Sequence 1 is 5 long: padding rows 9.. see no real key within 3 positions.
    AttentionWindow window = AttentionWindow.symmetric(3);
    for (AttentionBackend backend : new AttentionBackend[] {new FusedAttention(), new EagerAttention(), new SdpaAttention()}) {
      try (AttentionMask mask = AttentionMask.fromPadding(paddingMask, ScalarType.Float);
          Tensor context = backend.attend(q, k, v, mask, window, 0.0, false, null);
          Tensor padding = context.select(0, 1).narrow(0, 9, S - 9)) {
        float[] values = Tensors.toFloatArray(padding);
        for (float x : values) {
          assertTrue(Float.isFinite(x), backend.implementation() + " gave a non-finite value on a padding row");
        }
        if (backend instanceof FusedAttention) {
          assertEquals(0.0, TensorAssertions.maxAbs(values), "fused padding rows are zero");
        }
      }
    }
  }

  // The window mask and the fused lengths are made on first use; a caller's PointerScope around that use (a training
  // step's) must not free them while the mask still hands them out.
  @Test
  void maskTensorsMadeInsideACallersScopeOutliveIt() {
    AttentionWindow window = AttentionWindow.symmetric(2);
    try (AttentionMask mask = AttentionMask.fromPadding(paddingMask, ScalarType.Float)) {
      float[][] first = new float[2][];
      for (int round = 0; round < 2; round++) {
        try (PointerScope scope = new PointerScope()) {
          Tensor eager = new EagerAttention().attend(q, k, v, mask, window, 0.0, false, null);
          Tensor fused = new FusedAttention().attend(q, k, v, mask, window, 0.0, false, null);
          float[][] now = {Tensors.toFloatArray(eager), Tensors.toFloatArray(fused)};
          if (round == 0) {
            first = now;
          } else {
            assertClose("eager after the first scope closed", now[0], first[0], 0.0);
            assertClose("fused after the first scope closed", now[1], first[1], 0.0);
          }
        }
      }
      assertEquals(4, mask.additive(window).dim());
      assertEquals(B, mask.lengths().size(0));
    }
  }

  @Test
  void noWindowIsTheCallWithoutAWindow() {
    for (AttentionBackend backend : new AttentionBackend[] {new FusedAttention(), new EagerAttention(), new SdpaAttention()}) {
      try (AttentionMask mask = AttentionMask.fromPadding(paddingMask, ScalarType.Float);
          Tensor plain = backend.attend(q, k, v, mask, 0.0, false, null);
          Tensor none = backend.attend(q, k, v, mask, AttentionWindow.NONE, 0.0, false, null)) {
        assertClose(backend.implementation() + " NONE", none, plain, 0.0);
      }
    }
  }

  @Test
  void aBackendWithoutWindowsRefusesALimitedOne() {
    AttentionBackend global = new AttentionBackend() {
      @Override
      public AttentionImplementation implementation() {
        return AttentionImplementation.EAGER;
      }

      @Override
      public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training,
          LayerwiseBackward tape) {
        return q.clone();
      }
    };
    try (AttentionMask mask = AttentionMask.fromPadding(paddingMask, ScalarType.Float)) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> global.attend(q, k, v, mask, AttentionWindow.symmetric(4), 0.0, false, null));
      assertTrue(e.getMessage().contains("sliding attention window (window(left 4, right 4))"), e.getMessage());
      try (Tensor unchanged = global.attend(q, k, v, mask, AttentionWindow.NONE, 0.0, false, null)) {
        assertClose("delegated", unchanged, q, 0.0);
      }
    }
  }

  @Test
  void badWindowSidesAreRefusedNamingTheRule() {
    IllegalArgumentException left = assertThrows(IllegalArgumentException.class, () -> new AttentionWindow(-2, 3));
    assertTrue(left.getMessage().contains("must be >= 0 (keys before / after the query) or -1 (unlimited), got left -2"),
        left.getMessage());
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class, () -> AttentionWindow.symmetric(-1));
    assertTrue(half.getMessage().contains("half width >= 0, got -1"), half.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new AttentionOptions(0.25, 0.0, 0, 0, null));
    assertTrue(none.getMessage().contains("AttentionWindow.NONE"), none.getMessage());
    assertEquals(AttentionWindow.NONE, new AttentionWindow(-1, -1));
    assertTrue(new AttentionWindow(-1, 0).isLimited());
  }
}
