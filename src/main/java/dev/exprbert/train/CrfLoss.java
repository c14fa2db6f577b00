package dev.exprbert.train;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.Feature;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.model.crf.CrfChains;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.model.crf.TransitionConstraints;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The CRF's loss on the batches the training step and the evaluator build. Each feature (a sentence, or a window of a
 * long one) is one chain of its labelled positions ({@link CrfChains}: each word's first sub-token, or every sub-token
 * with {@code label_all_tokens}; specials, padding and unlabelled pieces are skipped), read from the batch's logits at
 * the rows the batch says ({@link ModelBatch#rowOf}), so padded and packed batches give the same chains. A window cut
 * out of a longer sentence neither opens nor closes it, so the CRF's start (end) scores and constraints do not apply
 * at its cut ends. The label ids come from the features on the host: nothing is read from the device.
 *
 * <p>The loss is the sum of the chains' negative log-likelihoods; the step divides it by the labelled tokens of the
 * whole update, as it divides the cross-entropy's sum (so an update over several micro-batches, or ranks, equals one
 * big batch, and the learning rate means the same with and without the CRF).
 */
final class CrfLoss {
  private CrfLoss() {}

  /** The summed negative log-likelihood of {@code features} (in batch order) over {@code logits}: a 0-dim tensor. */
  static Tensor summed(LinearChainCrf crf, Tensor logits, ModelBatch batch, List<Feature> features) {
    CrfChains.Builder chains = CrfChains.builder();
    for (int i = 0; i < features.size(); i++) {
      AlignedSentence s = features.get(i).encoding();
      if (s.hasLabels()) {
        chains.add(batch.rowOf(i), s.labelIds(), !s.cutAtStart(), !s.cutAtEnd());
      }
    }
    try (CrfChains built = chains.build()) {
      return crf.negativeLogLikelihood(logits, built);
    }
  }

  /**
   * Refuses training data whose gold chain breaks the CRF's constraints (an {@code I-X} after {@code O}, say, or with
   * {@code label_all_tokens} under IOBES an {@code E-X} on every piece of a word): its loss would be infinite in
   * effect. The message names the sentence, the word and the transition.
   *
   * @param setting names the data in the message ({@code train_file})
   */
  static void requireAllowedGold(TransitionConstraints constraints, List<Feature> features,
      List<LabeledSentence> sentences, String setting) {
    for (Feature f : features) {
      AlignedSentence s = f.encoding();
      if (!s.hasLabels()) {
        continue;
      }
      long[] labels = s.labelIds();
      int[] wordIds = s.wordIds();
      int n = 0;
      for (long id : labels) {
        n += id != TokenClassificationLoss.IGNORE_INDEX ? 1 : 0;
      }
      int[] tags = new int[n];
      int[] words = new int[n];
      for (int t = 0, i = 0; t < labels.length; t++) {
        if (labels[t] != TokenClassificationLoss.IGNORE_INDEX) {
          tags[i] = (int) labels[t];
          words[i++] = wordIds[t];
        }
      }
      int at = constraints.firstViolation(tags, !s.cutAtStart(), !s.cutAtEnd());
      if (at >= 0) {
        LabeledSentence sentence = sentences.get(f.sentenceIndex());
        int word = words[Math.min(at, n - 1)];
        throw new IllegalArgumentException(setting + " " + sentence.location() + ": the CRF's " + constraints.scheme()
            + " constraints forbid " + constraints.describe(tags, at) + " (at word " + (word + 1) + " \""
            + sentence.words().get(word) + "\"" + (at > 0 && at < n && words[at - 1] == word ? ", between its sub-tokens" : "")
            + "); fix the tags, or train without --crf");
      }
    }
  }
}
