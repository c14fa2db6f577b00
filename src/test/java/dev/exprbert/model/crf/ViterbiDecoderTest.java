package dev.exprbert.model.crf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Viterbi against the arg max over every allowed path (L = 3..5, T = 1..5, with and without constraints), and the
 * word decoding: first sub-tokens only, or every sub-token, and words without sub-tokens.
 */
class ViterbiDecoderTest {
  private static ViterbiDecoder decoder(BruteForceCrf.Scores scores, TransitionConstraints constraints,
      boolean everySubToken) {
    int n = scores.start().length;
    float[] moves = new float[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        moves[i * n + j] = (float) scores.transitions()[i][j];
      }
    }
    return new ViterbiDecoder(constraints, moves, floats(scores.start()), floats(scores.end()), everySubToken);
  }

  private static float[] floats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  private static float[][] floats(double[][] rows) {
    return Arrays.stream(rows).map(ViterbiDecoderTest::floats).toArray(float[][]::new);
  }

  @Test
  void viterbiEqualsTheBestAllowedPathByEnumeration() {
    Random random = new Random(7);
    int cases = 0;
    for (List<String> labels : CrfForwardTest.labelSets()) {
      TransitionConstraints constraints = TransitionConstraints.forLabels(labels);
      for (int trial = 0; trial < 8; trial++) {
        BruteForceCrf.Scores scores = BruteForceCrf.Scores.random(random, labels.size());
        ViterbiDecoder viterbi = decoder(scores, constraints, false);
        for (int steps = 1; steps <= 5; steps++) {
          BruteForceCrf crf = BruteForceCrf.random(random, steps, scores, constraints, true, true);
          int[] best = crf.best();
          int[] decoded = viterbi.decode(floats(crf.emissions()));
          assertArrayEquals(best, decoded, labels + ", " + steps + " steps: score " + crf.score(best) + " vs "
              + crf.score(decoded));
          assertEquals(-1, constraints.firstViolation(decoded, true, true));
          cases++;
        }
      }
    }
    assertEquals(CrfForwardTest.labelSets().size() * 8 * 5, cases);
  }

  @Test
  void constraintsOverrideEmissionsThatFavourAForbiddenTag() {
    List<String> labels = List.of("O", "B-X", "I-X");
    TransitionConstraints constraints = TransitionConstraints.forLabels(labels);
    ViterbiDecoder viterbi = new ViterbiDecoder(constraints, new float[9], new float[3], new float[3], false);
    // argmax per position would say O I-X I-X: not BIO
    float[][] emissions = {{5, 0, 0}, {0, 1, 3}, {0, 1, 3}};
    int[] path = viterbi.decode(emissions);
    assertArrayEquals(new int[] {0, 1, 2}, path, "the best allowed path turns the first I-X into B-X");
  }

  @Test
  void wordsTakeTheirFirstSubTokensLabel() {
    List<String> labels = List.of("O", "B-X", "I-X");
    TransitionConstraints constraints = TransitionConstraints.forLabels(labels);
    float[] none = new float[9];
    float[][] word0 = {{0, 4, 0}, {0, 0, 9}}; // B-X, then a continuation piece
    float[][] word1 = {};
    float[][] word2 = {{0, 0, 2}};
    float[][][] words = {word0, word1, word2};
    int[] firstOnly = new ViterbiDecoder(constraints, none, new float[3], new float[3], false).decodeWords(words);
    assertArrayEquals(new int[] {1, -1, 2}, firstOnly, "chain of first sub-tokens: B-X I-X; the empty word gets -1");
    int[] every = new ViterbiDecoder(constraints, none, new float[3], new float[3], true).decodeWords(words);
    assertArrayEquals(new int[] {1, -1, 2}, every, "chain B-X I-X I-X over every piece; words read their first");
    assertTrue(new ViterbiDecoder(constraints, none, new float[3], new float[3], true).everySubToken());
    assertArrayEquals(new int[0], new ViterbiDecoder(constraints, none, new float[3], new float[3], false)
        .decodeWords(new float[0][][]));
  }
}
