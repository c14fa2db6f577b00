package dev.exprbert.infer;

import dev.exprbert.data.AlignedSentence;
import java.util.List;

/**
 * Label probabilities for encoded windows: what a {@link Tagger} asks the model for. {@link TokenClassifier} is one
 * (a forward pass per call); a server puts a batcher in between, which packs the windows of many callers into one
 * forward pass and answers each caller with its own rows.
 */
@FunctionalInterface
public interface WindowScorer {
  /** One {@code [length][num_labels]} table of probabilities per window, in the order given. */
  List<float[][]> tokenProbabilities(List<AlignedSentence> windows);
}
