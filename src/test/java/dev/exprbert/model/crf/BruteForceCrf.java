package dev.exprbert.model.crf;

import java.util.Random;

/**
 * A linear-chain CRF by enumeration of every tag path (L^T of them), in double: the reference the forward algorithm,
 * the gold path score and Viterbi are checked against on small cases.
 *
 * @param emissions [T][L]
 * @param transitions [L][L] ({@code [from][to]})
 * @param constraints the allowed transitions, or null for none
 * @param opens whether the start scores and start constraints apply
 * @param closes whether the end scores and end constraints apply
 */
record BruteForceCrf(double[][] emissions, double[] start, double[][] transitions, double[] end,
    TransitionConstraints constraints, boolean opens, boolean closes) {

  int steps() {
    return emissions.length;
  }

  int labels() {
    return start.length;
  }

  /** Whether the constraints allow {@code path}. */
  boolean allowed(int[] path) {
    return constraints == null || constraints.firstViolation(path, opens, closes) < 0;
  }

  /** The path's score (the constraints are not applied here). */
  double score(int[] path) {
    double s = (opens ? start[path[0]] : 0) + (closes ? end[path[path.length - 1]] : 0);
    for (int t = 0; t < path.length; t++) {
      s += emissions[t][path[t]];
      if (t > 0) {
        s += transitions[path[t - 1]][path[t]];
      }
    }
    return s;
  }

  /** log of the sum of exp(score) over the allowed paths. */
  double logPartition() {
    double max = Double.NEGATIVE_INFINITY;
    int[] path = new int[steps()];
    int total = (int) Math.pow(labels(), steps());
    double[] scores = new double[total];
    for (int p = 0; p < total; p++) {
      decodeIndex(p, path);
      scores[p] = allowed(path) ? score(path) : Double.NEGATIVE_INFINITY;
      max = Math.max(max, scores[p]);
    }
    double sum = 0;
    for (double s : scores) {
      sum += Math.exp(s - max);
    }
    return max + Math.log(sum);
  }

  /** The allowed path with the highest score (tests use random scores, so ties do not occur). */
  int[] best() {
    int[] path = new int[steps()];
    int[] best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    int total = (int) Math.pow(labels(), steps());
    for (int p = 0; p < total; p++) {
      decodeIndex(p, path);
      if (allowed(path)) {
        double s = score(path);
        if (best == null || s > bestScore) {
          bestScore = s;
          best = path.clone();
        }
      }
    }
    return best;
  }

  private void decodeIndex(int index, int[] path) {
    for (int t = path.length - 1; t >= 0; t--) {
      path[t] = index % labels();
      index /= labels();
    }
  }

  /** Random scores shared by the chains of one batch: start [L], transitions [L][L], end [L]. */
  record Scores(double[] start, double[][] transitions, double[] end) {
    static Scores random(Random random, int labels) {
      double[][] a = new double[labels][labels];
      double[] s = new double[labels];
      double[] f = new double[labels];
      for (int i = 0; i < labels; i++) {
        s[i] = value(random);
        f[i] = value(random);
        for (int j = 0; j < labels; j++) {
          a[i][j] = value(random);
        }
      }
      return new Scores(s, a, f);
    }
  }

  /** A chain of random emissions over {@code scores} (values float-representable, so float32 and double agree). */
  static BruteForceCrf random(Random random, int steps, Scores scores, TransitionConstraints constraints, boolean opens,
      boolean closes) {
    int labels = scores.start().length;
    double[][] e = new double[steps][labels];
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < labels; i++) {
        e[t][i] = value(random) * 3;
      }
    }
    return new BruteForceCrf(e, scores.start(), scores.transitions(), scores.end(), constraints, opens, closes);
  }

  private static double value(Random random) {
    return (float) (random.nextGaussian());
  }
}
