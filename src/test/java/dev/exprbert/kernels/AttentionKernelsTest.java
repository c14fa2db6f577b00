package dev.exprbert.kernels;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attention facade against LibTorch composition in float64 (softmax with the key-padding mask, dropout
 * through the materialised keep-mask, autograd for the gradients): padded views with real strides, packed
 * varlen equal to padded for real tokens, and bad calls rejected before any native code runs.
 */
class AttentionKernelsTest {
  private static final long B = 3, S = 37, H = 2, D = 32;
  private static final int[] LENGTHS = {37, 1, 20};
  private static final double TOLERANCE = 2e-5; // fp32 kernel vs float64 reference, values of order 1

  @BeforeAll
  static void load() {
    Natives.init();
    torch.manual_seed(7);
  }

  /** q, k, v as [B, S, H, D] views of one [B, S, 3, H, D] tensor, like a fused projection. */
  private static Tensor[] qkv() {
    Tensor packed = torch.randn(B, S, 3, H, D);
    return new Tensor[] {packed.select(2, 0), packed.select(2, 1), packed.select(2, 2), packed};
  }

  private static Tensor lengths() {
    try (Tensor l = Tensors.longs(new long[] {LENGTHS[0], LENGTHS[1], LENGTHS[2]}, B)) {
      return l.to(ScalarType.Int);
    }
  }

  /** Reference out for sequence b (real rows only), in float64, optionally with the keep-mask (1/(1-p) scaled). */
  private static Tensor reference(Tensor q, Tensor k, Tensor v, int b, Tensor keep, double p) {
    return reference(q, k, v, b, keep, p, AttentionWindow.NONE);
  }

  /** {@link #reference(Tensor, Tensor, Tensor, int, Tensor, double)} where query i sees only the keys of its window. */
  private static Tensor reference(Tensor q, Tensor k, Tensor v, int b, Tensor keep, double p, AttentionWindow window) {
    long len = LENGTHS[b];
    float[] band = new float[(int) (len * len)];
    for (int i = 0; i < len; i++) {
      for (int j = 0; j < len; j++) {
        band[(int) (i * len + j)] = window.sees(i, j) ? 0.0f : Float.NEGATIVE_INFINITY;
      }
    }
    try (Tensor qb = q.select(0, b).narrow(0, 0, len).transpose(0, 1).to(ScalarType.Double);
        Tensor kb = k.select(0, b).narrow(0, 0, len).transpose(0, 1).to(ScalarType.Double);
        Tensor vb = v.select(0, b).narrow(0, 0, len).transpose(0, 1).to(ScalarType.Double);
        Tensor kt = kb.transpose(1, 2);
        Tensor scores = torch.matmul(qb, kt);
        Scalar scale = new Scalar(1.0 / Math.sqrt(D));
        Tensor bandFloat = Tensors.floats(band, len, len);
        Tensor bandDouble = bandFloat.to(ScalarType.Double);
        Tensor unmasked = scores.mul(scale);
        Tensor scaled = unmasked.add(bandDouble);
        Tensor probs = torch.softmax(scaled, -1)) {
      Tensor weights = probs;
      Tensor dropped = null;
      if (keep != null) {
        try (Tensor kb2 = keep.select(0, b).narrow(1, 0, len).narrow(2, 0, len).to(ScalarType.Double);
            Scalar inv = new Scalar(1.0 / (1.0 - p))) {
          dropped = probs.mul(kb2).mul_(inv);
          weights = dropped;
        }
      }
      try (Tensor ctx = torch.matmul(weights, vb)) {
        if (dropped != null) {
          dropped.close();
        }
        return ctx.transpose(0, 1).contiguous(); // [len, H, D]
      }
    }
  }

  @Test
  void paddedForwardMatchesTheReferenceAndZeroesPaddedRows() {
    Tensor[] t = qkv();
    try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S)) {
      AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(lens), AttentionOptions.noDropout(D));
      for (int b = 0; b < B; b++) {
        try (Tensor ref = reference(t[0], t[1], t[2], b, null, 0); Tensor real = out.select(0, b).narrow(0, 0, LENGTHS[b])) {
          assertClose("out[" + b + "]", Tensors.toFloatArray(real), Tensors.toFloatArray(ref), TOLERANCE);
        }
        if (LENGTHS[b] < S) {
          try (Tensor pad = out.select(0, b).narrow(0, LENGTHS[b], S - LENGTHS[b]); Tensor zeros = torch.zeros_like(pad)) {
            assertClose("padded rows of sequence " + b, pad, zeros, 0.0);
          }
        }
      }
    } finally {
      closeAll(t);
    }
  }

  @Test
  void dropoutForwardEqualsTheReferenceWithTheMaterialisedMask() {
    Tensor[] t = qkv();
    AttentionOptions options = new AttentionOptions(1.0 / Math.sqrt(D), 0.3, 1234, 5);
    try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S);
        Tensor keep = AttentionKernels.dropoutMask(B, H, S, options)) {
      AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(lens), options);
      double kept = keep.to(ScalarType.Double).mean().item_double();
      assertTrue(Math.abs(kept - 0.7) < 0.03, "kept fraction " + kept + " for p = 0.3");
      for (int b = 0; b < B; b++) {
        try (Tensor ref = reference(t[0], t[1], t[2], b, keep, 0.3); Tensor real = out.select(0, b).narrow(0, 0, LENGTHS[b])) {
          assertClose("dropout out[" + b + "]", Tensors.toFloatArray(real), Tensors.toFloatArray(ref), TOLERANCE);
        }
      }
    } finally {
      closeAll(t);
    }
  }

  @Test
  void slidingWindowForwardMatchesTheReferenceAndPackedEqualsPadded() {
    Tensor[] t = qkv();
    long total = LENGTHS[0] + LENGTHS[1] + LENGTHS[2];
    try {
      for (AttentionWindow window : new AttentionWindow[] {AttentionWindow.symmetric(4), new AttentionWindow(0, 7)}) {
        AttentionOptions options = new AttentionOptions(1.0 / Math.sqrt(D), 0.25, 31, 2, window);
        try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S);
            Tensor keep = AttentionKernels.dropoutMask(B, H, S, options);
            Tensor cu = Tensors.longs(new long[] {0, LENGTHS[0], LENGTHS[0] + LENGTHS[1], total}, B + 1);
            Tensor cu32 = cu.to(ScalarType.Int);
            Tensor pq = pack(t[0]); Tensor pk = pack(t[1]); Tensor pv = pack(t[2]);
            Tensor pout = torch.empty(total, H, D); Tensor plse = torch.empty(H, total);
            Tensor dout = torch.randn(B, S, H, D); Tensor pdout = pack(dout);
            Tensor dq = torch.empty(B, S, H, D); Tensor dk = torch.empty(B, S, H, D); Tensor dv = torch.empty(B, S, H, D);
            Tensor pdq = torch.empty(total, H, D); Tensor pdk = torch.empty(total, H, D); Tensor pdv = torch.empty(total, H, D)) {
          AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(lens), options);
          for (int b = 0; b < B; b++) {
            try (Tensor ref = reference(t[0], t[1], t[2], b, keep, 0.25, window);
                Tensor real = out.select(0, b).narrow(0, 0, LENGTHS[b])) {
              assertClose(window + " out[" + b + "]", Tensors.toFloatArray(real), Tensors.toFloatArray(ref), TOLERANCE);
            }
          }
          AttentionKernels.forward(pq, pk, pv, pout, plse, AttentionBatch.varlen(cu32, S), options);
          AttentionKernels.backward(dout, t[0], t[1], t[2], out, lse, dq, dk, dv, null, AttentionBatch.padded(lens), options);
          AttentionKernels.backward(pdout, pq, pk, pv, pout, plse, pdq, pdk, pdv, null, AttentionBatch.varlen(cu32, S),
              options);
          try (Tensor a = pack(out); Tensor b = pack(dq); Tensor c = pack(dk); Tensor d = pack(dv)) {
            assertClose(window + " packed vs padded out", pout, a, 0.0);
            assertClose(window + " packed vs padded dq", pdq, b, 0.0);
            assertClose(window + " packed vs padded dk", pdk, c, 0.0);
            assertClose(window + " packed vs padded dv", pdv, d, 0.0);
          }
          try (Tensor full = torch.empty(B, S, H, D); Tensor fullLse = torch.empty(B, H, S)) {
            AttentionKernels.forward(t[0], t[1], t[2], full, fullLse, AttentionBatch.padded(lens),
                options.withWindow(AttentionWindow.NONE));
            double changed = dev.exprbert.testing.TensorAssertions.maxAbsDiff(Tensors.toFloatArray(full),
                Tensors.toFloatArray(out));
            assertTrue(changed > 0.05, window + " left the output unchanged (" + changed + ")");
          }
        }
      }
    } finally {
      closeAll(t);
    }
  }

  @Test
  void backwardMatchesAutogradOfTheReference() {
    Tensor[] t = qkv();
    try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S);
        Tensor dout = torch.randn(B, S, H, D); Tensor dq = torch.empty(B, S, H, D); Tensor dk = torch.empty(B, S, H, D);
        Tensor dv = torch.empty(B, S, H, D)) {
      AttentionOptions options = AttentionOptions.noDropout(D);
      AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(lens), options);
      AttentionKernels.backward(dout, t[0], t[1], t[2], out, lse, dq, dk, dv, null, AttentionBatch.padded(lens), options);
      for (int b = 0; b < B; b++) {
        int len = LENGTHS[b];
        try (Tensor q = t[0].select(0, b).narrow(0, 0, len).to(ScalarType.Double).requires_grad_(true);
            Tensor k = t[1].select(0, b).narrow(0, 0, len).to(ScalarType.Double).requires_grad_(true);
            Tensor v = t[2].select(0, b).narrow(0, 0, len).to(ScalarType.Double).requires_grad_(true);
            Tensor qh = q.transpose(0, 1); Tensor kh = k.transpose(0, 1); Tensor vh = v.transpose(0, 1);
            Tensor kt = kh.transpose(1, 2); Tensor scores = torch.matmul(qh, kt);
            Scalar scale = new Scalar(1.0 / Math.sqrt(D)); Tensor scaled = scores.mul(scale);
            Tensor probs = torch.softmax(scaled, -1); Tensor ctx = torch.matmul(probs, vh); Tensor ctxT = ctx.transpose(0, 1);
            Tensor g = dout.select(0, b).narrow(0, 0, len).to(ScalarType.Double);
            TensorVector outs = new TensorVector(ctxT); TensorVector grads = new TensorVector(g)) {
          dev.exprbert.autograd.LayerwiseBackward.backward(outs, grads);
          assertGradClose("dq[" + b + "]", dq.select(0, b).narrow(0, 0, len), q.grad());
          assertGradClose("dk[" + b + "]", dk.select(0, b).narrow(0, 0, len), k.grad());
          assertGradClose("dv[" + b + "]", dv.select(0, b).narrow(0, 0, len), v.grad());
        }
      }
    } finally {
      closeAll(t);
    }
  }

  private static void assertGradClose(String what, Tensor actual, Tensor expected) {
    float[] e = Tensors.toFloatArray(expected);
    double scale = Math.max(1e-6, dev.exprbert.testing.TensorAssertions.maxAbs(e));
    assertClose(what, Tensors.toFloatArray(actual), e, TOLERANCE * scale);
  }

  @Test
  void packedAndPaddedGiveTheSameValuesForRealTokens() {
    Tensor[] t = qkv();
    long total = LENGTHS[0] + LENGTHS[1] + LENGTHS[2];
    AttentionOptions options = new AttentionOptions(1.0 / Math.sqrt(D), 0.2, 99, 1);
    try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S);
        Tensor cu = Tensors.longs(new long[] {0, LENGTHS[0], LENGTHS[0] + LENGTHS[1], total}, B + 1);
        Tensor cu32 = cu.to(ScalarType.Int);
        Tensor pq = pack(t[0]); Tensor pk = pack(t[1]); Tensor pv = pack(t[2]);
        Tensor pout = torch.empty(total, H, D); Tensor plse = torch.empty(H, total)) {
      AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(lens), options);
      AttentionKernels.forward(pq, pk, pv, pout, plse, AttentionBatch.varlen(cu32, S), options);
      try (Tensor packedFromPadded = pack(out)) {
        assertClose("packed vs padded out", pout, packedFromPadded, 0.0);
      }
    } finally {
      closeAll(t);
    }
  }

  /** The real rows of a [B, S, H, D] tensor concatenated: [total, H, D]. */
  private static Tensor pack(Tensor padded) {
    Tensor[] parts = new Tensor[(int) B];
    for (int b = 0; b < B; b++) {
      parts[b] = padded.select(0, b).narrow(0, 0, LENGTHS[b]);
    }
    try (TensorVector vector = new TensorVector(parts)) {
      return torch.cat(vector);
    } finally {
      closeAll(parts);
    }
  }

  @Test
  void badCallsThrowIllegalArgumentNamingTheArgument() {
    Tensor[] t = qkv();
    AttentionOptions options = AttentionOptions.noDropout(D);
    try (Tensor lens = lengths(); Tensor out = torch.empty(B, S, H, D); Tensor lse = torch.empty(B, H, S);
        Tensor wrongLse = torch.empty(B, S, H); Tensor outHalf = out.to(ScalarType.Half);
        Tensor longLens = lens.to(ScalarType.Long); Tensor threeDims = torch.empty(B, S, H);
        Tensor strided = torch.empty(B, S, H, 2 * D); Tensor stridedView = strided.narrow(3, 0, D);
        Tensor transposedLast = torch.empty(B, S, D, H); Tensor badInner = transposedLast.transpose(2, 3)) {
      AttentionBatch batch = AttentionBatch.padded(lens);
      assertMessage("lse", () -> AttentionKernels.forward(t[0], t[1], t[2], out, wrongLse, batch, options));
      assertMessage("out must have q's dtype", () -> AttentionKernels.forward(t[0], t[1], t[2], outHalf, lse, batch, options));
      assertMessage("seqlens", () -> AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(longLens), options));
      assertMessage("q must be [batch, seq, heads, head_dim]", () -> AttentionKernels.forward(threeDims, t[1], t[2], out, lse, batch, options));
      assertMessage("k must have head_dim stride 1", () -> AttentionKernels.forward(t[0], badInner, t[2], out, lse, batch, options));
      assertMessage("scale", () -> new AttentionOptions(0.0, 0.0, 0, 0));
      assertMessage("dropoutP", () -> new AttentionOptions(1.0, 1.0, 0, 0));
      // A strided (non-contiguous) view with a unit innermost stride is fine: no copy needed.
      try (Tensor source = torch.randn(B, S, H, D)) {
        stridedView.copy_(source);
        AttentionKernels.forward(t[0], t[1], stridedView, out, lse, batch, options);
      }
      try (Tensor badLens = Tensors.longs(new long[] {37, 40, 2}, B); Tensor badLens32 = badLens.to(ScalarType.Int)) {
        KernelException e = assertThrows(KernelException.class,
            () -> AttentionKernels.forward(t[0], t[1], t[2], out, lse, AttentionBatch.padded(badLens32), options));
        assertEquals(KernelsLibrary.EXPRBERT_ERROR_INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().contains("seqlens[1]"), e.getMessage());
      }
    } finally {
      closeAll(t);
    }
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), "message should mention '" + expected + "': " + e.getMessage());
  }

  private static void closeAll(Tensor... tensors) {
    for (Tensor x : tensors) {
      if (x != null) {
        x.close();
      }
    }
  }
}
