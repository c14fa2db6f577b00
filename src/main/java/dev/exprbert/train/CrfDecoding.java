package dev.exprbert.train;

import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.model.crf.ViterbiDecoder;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The CRF's side of evaluation: each batch's logits travel (and are gathered across ranks) as float bits, one emission
 * row per token, because a sentence can only be decoded once the rows of all its windows are in; then the windows'
 * rows are merged word by word ({@link Featurizer#mergeWordProbabilities}: each word from the window that owns it) and
 * each sentence is decoded as one Viterbi chain ({@link ViterbiDecoder#decodeWords}).
 */
final class CrfDecoding {
  private CrfDecoding() {}

  /** The logits as float bits in longs (one read per batch), row-major {@code [rows, L]}. */
  static long[] emissionBits(Tensor logits) {
    float[] values = Tensors.toFloatArray(logits);
    long[] bits = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  /**
   * Each sentence's word label ids (-1 for a word without sub-tokens).
   *
   * @param emissionBits per feature, its tokens' emission rows as {@link #emissionBits} wrote them
   */
  static List<int[]> wordPredictions(LinearChainCrf crf, List<Feature> features, List<long[]> emissionBits,
      int[] wordCounts) {
    int labels = crf.constraints().numLabels();
    List<float[][]> tables = new ArrayList<>(emissionBits.size());
    for (long[] bits : emissionBits) {
      float[][] rows = new float[bits.length / labels][labels];
      for (int i = 0; i < bits.length; i++) {
        rows[i / labels][i % labels] = Float.intBitsToFloat((int) bits[i]);
      }
      tables.add(rows);
    }
    ViterbiDecoder decoder = crf.decoder();
    List<int[]> out = new ArrayList<>(wordCounts.length);
    for (float[][][] words : Featurizer.mergeWordProbabilities(features, tables, wordCounts)) {
      out.add(decoder.decodeWords(words));
    }
    return out;
  }
}
