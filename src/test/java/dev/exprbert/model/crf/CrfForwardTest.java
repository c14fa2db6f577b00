package dev.exprbert.model.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forward algorithm and the gold path score against enumeration of every path, in double, on batches of chains
 * of different lengths (L = 3..5, T <= 5), without constraints and with BIO / IOBES constraints, with chains that do
 * and do not open or close their sentence; and the gradient of the negative log-likelihood against central finite
 * differences.
 */
class CrfForwardTest {
  @BeforeAll
  static void natives() {
    Natives.init();
  }

  /** Label sets of 3 to 5 labels: without forbidden transitions (B- only) and with BIO and IOBES constraints. */
  static List<List<String>> labelSets() {
    return List.of(List.of("O", "B-A", "B-B"), List.of("O", "B-A", "B-B", "B-C", "B-D"),
        List.of("O", "B-X", "I-X"), List.of("O", "B-X", "I-X", "B-Y", "I-Y"), List.of("O", "B-X", "I-X", "E-X", "S-X"),
        List.of("O", "B-X", "I-X", "L-X"));
  }

  @Test
  void logPartitionAndPathScoreEqualEnumeration() {
    Random random = new Random(15);
    int checked = 0;
    for (List<String> labels : labelSets()) {
      TransitionConstraints constraints = TransitionConstraints.forLabels(labels);
      for (boolean cut : new boolean[] {false, true}) {
        BruteForceCrf.Scores scores = BruteForceCrf.Scores.random(random, labels.size());
        List<BruteForceCrf> chains = new ArrayList<>();
        for (int steps = 1; steps <= 5; steps++) {
          chains.add(BruteForceCrf.random(random, steps, scores, constraints, !cut || steps % 2 == 0, !cut));
        }
        List<int[]> gold = new ArrayList<>();
        for (BruteForceCrf c : chains) {
          int[] path = c.best(); // an allowed path: the gold path score needs one the constraints permit
          gold.add(path);
        }
        try (PointerScope scope = new PointerScope()) {
          Batch batch = Batch.of(chains, gold, constraints);
          double[] logZ = doubles(CrfForward.logPartition(batch.emissions, batch.mask, batch.start, batch.transitions,
              batch.end));
          double[] paths = doubles(CrfForward.pathScore(batch.emissions, batch.tags, batch.mask, batch.start,
              batch.transitions, batch.end, batch.last));
          for (int c = 0; c < chains.size(); c++) {
            BruteForceCrf crf = chains.get(c);
            String what = labels + " chain of " + crf.steps() + (cut ? " (cut)" : "");
            assertEquals(crf.logPartition(), logZ[c], 1e-9 * Math.max(1, Math.abs(logZ[c])), "log Z of " + what);
            assertEquals(crf.score(gold.get(c)), paths[c], 1e-9 * Math.max(1, Math.abs(paths[c])), "path score of " + what);
            checked++;
          }
        }
      }
    }
    assertEquals(labelSets().size() * 2 * 5, checked);
  }

  @Test
  void withoutConstraintsEveryPathCounts() {
    Random random = new Random(3);
    BruteForceCrf crf = BruteForceCrf.random(random, 4, BruteForceCrf.Scores.random(random, 3), null, true, true);
    TransitionConstraints free = TransitionConstraints.forLabels(List.of("O", "B-A", "B-B"));
    assertEquals(List.of(), free.forbidden(), "B- labels and O may follow anything");
    try (PointerScope scope = new PointerScope()) {
      Batch batch = Batch.of(List.of(crf), List.of(new int[] {0, 1, 2, 1}), free);
      assertEquals(crf.logPartition(), doubles(CrfForward.logPartition(batch.emissions, batch.mask, batch.start,
          batch.transitions, batch.end))[0], 1e-10);
    }
  }

  @Test
  void gradientOfTheNegativeLogLikelihoodMatchesFiniteDifferences() {
    Random random = new Random(99);
    List<String> labels = List.of("O", "B-X", "I-X", "B-Y", "I-Y");
    TransitionConstraints constraints = TransitionConstraints.forLabels(labels);
    BruteForceCrf.Scores scores = BruteForceCrf.Scores.random(random, labels.size());
    List<BruteForceCrf> chains = List.of(BruteForceCrf.random(random, 5, scores, constraints, true, true),
        BruteForceCrf.random(random, 3, scores, constraints, true, true),
        BruteForceCrf.random(random, 4, scores, constraints, false, true));
    List<int[]> gold = chains.stream().map(BruteForceCrf::best).toList();
    try (PointerScope scope = new PointerScope()) {
      Batch batch = Batch.of(chains, gold, constraints);
      Tensor emissions = batch.emissions.detach().requires_grad_(true);
      Tensor transitions = batch.transitions.detach().requires_grad_(true);
      Tensor start = batch.start.detach().requires_grad_(true);
      Tensor nll = nll(batch, emissions, transitions, start);
      nll.backward();
      int compared = 0;
      for (Tensor leaf : List.of(emissions, transitions, start)) {
        double[] grad = doubles(leaf.grad());
        Tensor flat = leaf.view(-1);
        for (int i = 0; i < grad.length; i++) {
          double numeric;
          try (NoGradGuard noGrad = new NoGradGuard()) {
            Tensor element = flat.select(0, i);
            double original = element.item_double();
            double h = 1e-5;
            element.fill_(new Scalar(original + h));
            double plus = nll(batch, emissions, transitions, start).item_double();
            element.fill_(new Scalar(original - h));
            double minus = nll(batch, emissions, transitions, start).item_double();
            element.fill_(new Scalar(original));
            numeric = (plus - minus) / (2 * h);
          }
          assertEquals(numeric, grad[i], 1e-7, "d nll / d element " + i + " of a " + Tensors.shapeString(leaf) + " leaf");
          compared++;
        }
      }
      assertTrue(compared > 60, "every element of emissions, transitions and start: " + compared);
    }
  }

  private static Tensor nll(Batch batch, Tensor emissions, Tensor transitions, Tensor start) {
    Tensor logZ = CrfForward.logPartition(emissions, batch.mask, start, transitions, batch.end);
    Tensor score = CrfForward.pathScore(emissions, batch.tags, batch.mask, start, transitions, batch.end, batch.last);
    return logZ.sub(score).sum();
  }

  static double[] doubles(Tensor t) {
    try (Tensor d = t.to(ScalarType.Double).contiguous()) {
      double[] out = new double[(int) d.numel()];
      new org.bytedeco.javacpp.DoublePointer(d.data_ptr()).get(out);
      return out;
    }
  }

  /**
   * Chains as the CRF's tensors, in double: padded to the longest, the constraints' penalties added to the scores as
   * {@link LinearChainCrf} adds them, and a chain that does not open (close) its sentence given zero start (end) scores.
   */
  record Batch(Tensor emissions, Tensor mask, Tensor start, Tensor transitions, Tensor end, Tensor tags, Tensor last) {
    static Batch of(List<BruteForceCrf> chains, List<int[]> gold, TransitionConstraints constraints) {
      int n = chains.size();
      int labels = chains.get(0).labels();
      int steps = chains.stream().mapToInt(BruteForceCrf::steps).max().orElseThrow();
      double[] e = new double[n * steps * labels];
      long[] mask = new long[n * steps];
      long[] tags = new long[n * steps];
      long[] last = new long[n];
      double[] start = new double[n * labels];
      double[] end = new double[n * labels];
      BruteForceCrf first = chains.get(0);
      double[] moves = new double[labels * labels];
      for (int i = 0; i < labels; i++) {
        for (int j = 0; j < labels; j++) {
          moves[i * labels + j] = first.transitions()[i][j] + (constraints.allowed(i, j) ? 0 : TransitionConstraints.FORBIDDEN);
        }
      }
      for (int c = 0; c < n; c++) {
        BruteForceCrf crf = chains.get(c);
        for (int t = 0; t < crf.steps(); t++) {
          System.arraycopy(crf.emissions()[t], 0, e, (c * steps + t) * labels, labels);
          mask[c * steps + t] = 1;
          tags[c * steps + t] = gold.get(c)[t];
        }
        last[c] = crf.steps() - 1;
        for (int j = 0; j < labels; j++) {
          start[c * labels + j] = crf.opens()
              ? crf.start()[j] + (constraints.allowedAtStart(j) ? 0 : TransitionConstraints.FORBIDDEN) : 0;
          end[c * labels + j] = crf.closes()
              ? crf.end()[j] + (constraints.allowedAtEnd(j) ? 0 : TransitionConstraints.FORBIDDEN) : 0;
        }
      }
      return new Batch(doubles(e, n, steps, labels), bools(mask, n, steps), doubles(start, n, labels),
          doubles(moves, labels, labels), doubles(end, n, labels), Tensors.longs(tags, n, steps), Tensors.longs(last, n, 1));
    }

    private static Tensor doubles(double[] values, long... shape) {
      Tensor t = org.bytedeco.pytorch.global.torch.empty(shape, new org.bytedeco.pytorch.TensorOptions(ScalarType.Double),
          new org.bytedeco.pytorch.MemoryFormatOptional());
      new org.bytedeco.javacpp.DoublePointer(t.data_ptr()).put(values);
      return t;
    }

    private static Tensor bools(long[] values, long... shape) {
      return Tensors.longs(values, shape).to(ScalarType.Bool);
    }
  }
}
