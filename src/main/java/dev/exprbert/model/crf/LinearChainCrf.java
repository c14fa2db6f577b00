package dev.exprbert.model.crf;

import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.runtime.Tensors;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The optional linear-chain CRF over the classifier's logits (the emissions), trained jointly with the encoder and
 * decoded with Viterbi. Its parameters carry pytorch-crf's names under {@code crf.}: {@code crf.transitions [L, L]}
 * ({@code [from, to]}), {@code crf.start_transitions [L]}, {@code crf.end_transitions [L]}, initialised as pytorch-crf
 * does (uniform(-0.1, 0.1)). The allowed transitions come from the label scheme ({@link TransitionConstraints}): in
 * training a forbidden transition, start or end adds {@link TransitionConstraints#FORBIDDEN} to the learned score; in
 * decoding it is impossible.
 *
 * <p>Borrows the parameters from the model's {@link ModelWeights}; owns the penalty tensors (on the parameters'
 * device) and frees them on {@link #close}.
 */
public final class LinearChainCrf implements AutoCloseable {
  /** The weight path of the CRF's parameters. */
  public static final WeightPath PATH = WeightPath.ROOT.child("crf");
  public static final String TRANSITIONS = PATH.key("transitions");
  public static final String START = PATH.key("start_transitions");
  public static final String END = PATH.key("end_transitions");

  private final CrfSettings settings;
  private final TransitionConstraints constraints;
  private final Tensor transitions; // [L, L], borrowed
  private final Tensor start; // [L], borrowed
  private final Tensor end; // [L], borrowed
  private final Tensor transitionPenalty; // [L, L]
  private final Tensor startPenalty; // [1, L]
  private final Tensor endPenalty; // [1, L]

  /** The CRF of {@code config} (which must ask for one: {@link CrfSettings#enabled}) over {@code weights}. */
  public LinearChainCrf(ModelWeights weights, EncoderConfig config) {
    this.settings = CrfSettings.of(config);
    if (!settings.enabled()) {
      throw new IllegalArgumentException("config.json has no \"" + CrfSettings.USE_CRF + "\": true; this model has no CRF");
    }
    this.constraints = TransitionConstraints.forLabels(config.labels());
    this.transitions = weights.get(TRANSITIONS);
    this.start = weights.get(START);
    this.end = weights.get(END);
    int n = constraints.numLabels();
    try (Device device = transitions.device()) {
      transitionPenalty = onDevice(constraints.transitionPenalties(), device, n, n);
      startPenalty = onDevice(constraints.startPenalties(), device, 1, n);
      endPenalty = onDevice(constraints.endPenalties(), device, 1, n);
    }
  }

  private static Tensor onDevice(float[] values, Device device, long... shape) {
    try (Tensor host = Tensors.floats(values, shape)) {
      return Tensors.copyTo(host, device, ScalarType.Float);
    }
  }

  /** Declares the three CRF tensors of a model with {@code numLabels} labels. */
  public static void declare(List<ParameterSpec> specs, int numLabels) {
    specs.add(new ParameterSpec(TRANSITIONS, new long[] {numLabels, numLabels}, ParameterSpec.Init.UNIFORM_CRF));
    specs.add(new ParameterSpec(START, new long[] {numLabels}, ParameterSpec.Init.UNIFORM_CRF));
    specs.add(new ParameterSpec(END, new long[] {numLabels}, ParameterSpec.Init.UNIFORM_CRF));
  }

  /** Whether a parameter name is one of the CRF's. */
  public static boolean owns(String parameterName) {
    return parameterName.startsWith(PATH.prefix() + ".");
  }

  public CrfSettings settings() {
    return settings;
  }

  public TransitionConstraints constraints() {
    return constraints;
  }

  /**
   * The summed negative log-likelihood of the gold paths of {@code chains} (log-partition minus gold path score, each
   * chain's), computed in float32 from {@code logits} ({@code [B, S, L]} or packed {@code [total_tokens, L]}), as a
   * 0-dim tensor on the logits' device that back-propagates into the logits and the CRF's parameters. No value is read
   * to the host. With no chain it is 0 (still part of the logits' graph, so a backward from it runs).
   */
  public Tensor negativeLogLikelihood(Tensor logits, CrfChains chains) {
    int n = constraints.numLabels();
    if (logits.size(logits.dim() - 1) != n) {
      throw new IllegalArgumentException("logits have " + logits.size(logits.dim() - 1) + " labels; the CRF has " + n);
    }
    try (PointerScope scope = new PointerScope()) {
      Tensor flat = logits.reshape(-1, n).to(ScalarType.Float);
      if (chains.size() == 0) {
        return Tensors.outlive(scope, flat.sum().mul(new Scalar(0.0)));
      }
      Device device = flat.device();
      long count = chains.size();
      long steps = chains.longest();
      Tensor rows = Tensors.toDevice(chains.rows(), device, ScalarType.Long).reshape(-1);
      Tensor emissions = flat.index_select(0, rows).reshape(count, steps, n);
      Tensor tags = Tensors.toDevice(chains.tags(), device, ScalarType.Long);
      Tensor last = Tensors.toDevice(chains.last(), device, ScalarType.Long);
      Tensor mask = Tensors.toDevice(chains.mask(), device, ScalarType.Bool);
      Tensor opens = Tensors.toDevice(chains.opens(), device, ScalarType.Bool);
      Tensor closes = Tensors.toDevice(chains.closes(), device, ScalarType.Bool);
      Scalar none = new Scalar(0.0);
      // a chain cut out of a longer sentence has no start (end) there: its score and constraint do not apply
      Tensor startScores = torch.where(opens, start.unsqueeze(0).add(startPenalty), none); // [N, L]
      Tensor endScores = torch.where(closes, end.unsqueeze(0).add(endPenalty), none);
      Tensor moves = transitions.add(transitionPenalty);
      try (Tensor logZ = CrfForward.logPartition(emissions, mask, startScores, moves, endScores);
          Tensor gold = CrfForward.pathScore(emissions, tags, mask, startScores, moves, endScores, last)) {
        return Tensors.outlive(scope, logZ.sub(gold).sum());
      }
    }
  }

  /** A host decoder with the current scores (one read of the three small tensors, concatenated). */
  public ViterbiDecoder decoder() {
    int n = constraints.numLabels();
    float[] all;
    try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
        TensorVector parts = new TensorVector(transitions.reshape(-1), start, end)) {
      all = Tensors.toFloatArray(torch.cat(parts));
    }
    return new ViterbiDecoder(constraints, Arrays.copyOfRange(all, 0, n * n),
        Arrays.copyOfRange(all, n * n, n * n + n), Arrays.copyOfRange(all, n * n + n, n * n + 2 * n),
        settings.everySubToken());
  }

  @Override
  public void close() {
    transitionPenalty.close();
    startPenalty.close();
    endPenalty.close();
  }
}
