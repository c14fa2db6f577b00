package dev.exprbert.train;

import dev.exprbert.data.Feature;
import dev.exprbert.dist.DistributedContext;
import java.util.Arrays;
import java.util.List;

/**
 * The check, at the start of a data-parallel run, that every rank has the same training and evaluation features:
 * each rank takes its shard of a global order computed from its own copy of the data, so ranks that read different
 * files (another {@code train_file} on one machine, another tokenizer or {@code max_seq_length}) would silently train
 * on a wrong mix. Counts and a 64-bit fingerprint of every feature's ids and labels are compared with rank 0's.
 */
final class RankAgreement {
  private RankAgreement() {}

  static void check(DistributedContext context, List<Feature> train, Evaluator eval) {
    long[] mine = {train.size(), fingerprint(train), eval != null ? eval.features().size() : -1,
        eval != null ? fingerprint(eval.features()) : 0};
    long[][] all = context.allGather(mine, "the check that every rank has the same data");
    for (int r = 1; r < all.length; r++) {
      if (!Arrays.equals(all[r], all[0])) {
        boolean trainDiffers = all[r][0] != all[0][0] || all[r][1] != all[0][1];
        throw new IllegalArgumentException("rank " + r + "'s " + (trainDiffers ? "training" : "evaluation")
            + " features differ from rank 0's (" + describe(all[r], trainDiffers) + " vs " + describe(all[0], trainDiffers)
            + "): every rank must read the same train_file and validation_file with the same tokenizer and settings");
      }
    }
  }

  private static String describe(long[] v, boolean train) {
    int at = train ? 0 : 2;
    return v[at] + " features, fingerprint " + Long.toHexString(v[at + 1]);
  }

  /** A hash of every feature's input ids and label ids, in order. */
  static long fingerprint(List<Feature> features) {
    long h = 1125899906842597L;
    for (Feature f : features) {
      for (long id : f.encoding().inputIds()) {
        h = 31 * h + id;
      }
      long[] labels = f.encoding().hasLabels() ? f.encoding().labelIds() : new long[0];
      for (long label : labels) {
        h = 37 * h + label;
      }
      h = 41 * h + f.sentenceIndex();
    }
    return h;
  }
}
