package dev.exprbert.model.crf;

import dev.exprbert.runtime.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The linear-chain CRF's two sums over a batch of chains, as autograd-tracked LibTorch ops in the emissions' type (the
 * model runs them in float32; tests in double): the log-partition (forward algorithm) and the score of a given tag
 * path. A chain of length {@code n} with tags {@code y} scores
 * <pre>
 *   start[y_0] + sum_t emissions[t, y_t] + sum_{t>0} transitions[y_{t-1}, y_t] + end[y_{n-1}]
 * </pre>
 * and its negative log-likelihood is {@code logPartition - pathScore}.
 *
 * <p>Shapes: {@code emissions [N, T, L]}; {@code mask [N, T]} bool, true on each chain's first {@code n} positions
 * ({@code n >= 1}); {@code start} and {@code end [N, L]} (each chain's own: a chain that does not open or close its
 * sentence gets zeros there); {@code transitions [L, L]} ({@code [from, to]}). Forbidden transitions carry
 * {@link TransitionConstraints#FORBIDDEN} in these scores already. Every function frees its intermediates and returns
 * a tensor the caller owns.
 */
final class CrfForward {
  private CrfForward() {}

  /** {@code log sum_paths exp(score)} per chain: [N]. */
  static Tensor logPartition(Tensor emissions, Tensor mask, Tensor start, Tensor transitions, Tensor end) {
    long steps = emissions.size(1);
    try (PointerScope scope = new PointerScope()) {
      Tensor alpha = start.add(emissions.select(1, 0)); // [N, L]: log-mass of the paths so far, by their last label
      Tensor moves = transitions.unsqueeze(0); // [1, from, to]
      for (long t = 1; t < steps; t++) {
        // [N, from, to] = alpha[from] + transitions[from, to] + emissions[t, to]; sum out `from`
        Tensor scores = alpha.unsqueeze(2).add(moves).add(emissions.select(1, t).unsqueeze(1));
        Tensor next = scores.logsumexp(new long[] {1}, false);
        alpha = torch.where(mask.select(1, t).unsqueeze(1), next, alpha); // finished chains keep their alpha
      }
      return Tensors.outlive(scope, alpha.add(end).logsumexp(new long[] {1}, false));
    }
  }

  /**
   * The score of each chain's tag path: [N].
   *
   * @param tags [N, T] int64 label ids (any id in [0, L) where the mask is false)
   * @param last [N, 1] int64: each chain's last position ({@code n - 1})
   */
  static Tensor pathScore(Tensor emissions, Tensor tags, Tensor mask, Tensor start, Tensor transitions, Tensor end,
      Tensor last) {
    long chains = emissions.size(0);
    long steps = emissions.size(1);
    long labels = emissions.size(2);
    try (PointerScope scope = new PointerScope()) {
      Tensor weight = mask.to(emissions.scalar_type());
      Tensor emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2).mul(weight).sum(1);
      Tensor score = emitted.add(start.gather(1, tags.narrow(1, 0, 1)).squeeze(1));
      if (steps > 1) {
        Tensor pairs = tags.narrow(1, 0, steps - 1).mul(new Scalar(labels)).add(tags.narrow(1, 1, steps - 1));
        Tensor moved = transitions.reshape(-1).index_select(0, pairs.reshape(-1)).reshape(chains, steps - 1);
        score = score.add(moved.mul(weight.narrow(1, 1, steps - 1)).sum(1));
      }
      Tensor lastTags = tags.gather(1, last);
      return Tensors.outlive(scope, score.add(end.gather(1, lastTags).squeeze(1)));
    }
  }
}
