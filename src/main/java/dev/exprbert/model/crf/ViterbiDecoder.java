package dev.exprbert.model.crf;

/**
 * Viterbi decoding on the host, in double, with the CRF's scores copied once ({@link LinearChainCrf#decoder()}): the
 * highest-scoring tag path of a chain of emission rows under the allowed-transition constraints, which are hard here
 * (a forbidden transition is impossible, not just unlikely). A sentence is decoded as one chain, so the path opens
 * with an allowed start and ends with an allowed end; ties go to the lowest label id.
 *
 * <p>Emissions may be logits or log-probabilities: subtracting a constant from every label's score at one position
 * changes every path's score by the same amount, so the best path is the same.
 */
public final class ViterbiDecoder {
  private final TransitionConstraints constraints;
  private final double[][] transitions; // [from][to], -inf where forbidden
  private final double[] start;
  private final double[] end;
  private final boolean everySubToken;

  /**
   * @param transitions [L * L] row-major {@code [from, to]} learned scores
   * @param everySubToken whether the CRF chains every sub-token of a word ({@link CrfSettings#everySubToken})
   */
  public ViterbiDecoder(TransitionConstraints constraints, float[] transitions, float[] start, float[] end,
      boolean everySubToken) {
    int n = constraints.numLabels();
    if (transitions.length != n * n || start.length != n || end.length != n) {
      throw new IllegalArgumentException("CRF scores for " + n + " labels need " + n * n + " transitions and " + n
          + " start and end scores, found " + transitions.length + ", " + start.length + ", " + end.length);
    }
    this.constraints = constraints;
    this.everySubToken = everySubToken;
    this.transitions = new double[n][n];
    this.start = new double[n];
    this.end = new double[n];
    for (int i = 0; i < n; i++) {
      this.start[i] = constraints.allowedAtStart(i) ? start[i] : Double.NEGATIVE_INFINITY;
      this.end[i] = constraints.allowedAtEnd(i) ? end[i] : Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        this.transitions[i][j] = constraints.allowed(i, j) ? transitions[i * n + j] : Double.NEGATIVE_INFINITY;
      }
    }
  }

  public TransitionConstraints constraints() {
    return constraints;
  }

  /** Whether a word's every sub-token is a chain position (else only its first). */
  public boolean everySubToken() {
    return everySubToken;
  }

  /** The best path of {@code emissions} ({@code [T][L]}, T >= 1); the empty path for no rows. */
  public int[] decode(float[][] emissions) {
    int steps = emissions.length;
    if (steps == 0) {
      return new int[0];
    }
    int n = start.length;
    double[] score = new double[n];
    int[][] from = new int[steps][n];
    for (int j = 0; j < n; j++) {
      score[j] = start[j] + emission(emissions, 0, j);
    }
    double[] next = new double[n];
    for (int t = 1; t < steps; t++) {
      for (int j = 0; j < n; j++) {
        double best = Double.NEGATIVE_INFINITY;
        int arg = 0;
        for (int i = 0; i < n; i++) {
          double s = score[i] + transitions[i][j];
          if (s > best) {
            best = s;
            arg = i;
          }
        }
        next[j] = best + emission(emissions, t, j);
        from[t][j] = arg;
      }
      System.arraycopy(next, 0, score, 0, n);
    }
    double best = Double.NEGATIVE_INFINITY;
    int last = -1;
    for (int j = 0; j < n; j++) {
      double s = score[j] + end[j];
      if (s > best) {
        best = s;
        last = j;
      }
    }
    if (last < 0) {
      throw new IllegalStateException("no tag path of length " + steps + " satisfies the CRF's " + constraints.scheme()
          + " constraints (or an emission is not finite)");
    }
    int[] path = new int[steps];
    path[steps - 1] = last;
    for (int t = steps - 1; t > 0; t--) {
      path[t - 1] = from[t][path[t]];
    }
    return path;
  }

  private double emission(float[][] emissions, int t, int label) {
    float[] row = emissions[t];
    if (row.length != start.length) {
      throw new IllegalArgumentException("emission row " + t + " has " + row.length + " scores; the CRF has "
          + start.length + " labels");
    }
    return row[label];
  }

  /**
   * One label id per word of a sentence, from the sentence decoded as one chain: the chain is each word's first
   * sub-token (or every sub-token, {@link #everySubToken}), and a word takes the label of its first sub-token.
   *
   * @param wordPieces per word, the emission rows of its sub-tokens in order ({@code [pieces][L]}, none for a word
   *     the tokenizer turned into nothing)
   * @return per word its label id, -1 for a word without sub-tokens
   */
  public int[] decodeWords(float[][][] wordPieces) {
    int positions = 0;
    for (float[][] pieces : wordPieces) {
      positions += pieces.length == 0 ? 0 : everySubToken ? pieces.length : 1;
    }
    float[][] chain = new float[positions][];
    int[] firstOf = new int[wordPieces.length];
    int at = 0;
    for (int w = 0; w < wordPieces.length; w++) {
      float[][] pieces = wordPieces[w];
      firstOf[w] = pieces.length == 0 ? -1 : at;
      for (int k = 0; k < (pieces.length == 0 ? 0 : everySubToken ? pieces.length : 1); k++) {
        chain[at++] = pieces[k];
      }
    }
    int[] path = decode(chain);
    int[] out = new int[wordPieces.length];
    for (int w = 0; w < out.length; w++) {
      out[w] = firstOf[w] < 0 ? -1 : path[firstOf[w]];
    }
    return out;
  }
}
