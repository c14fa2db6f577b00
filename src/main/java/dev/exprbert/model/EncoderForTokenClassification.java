package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A token classifier of any family, Hugging Face's {@code XxxForTokenClassification}: the family's encoder
 * ({@link ModelFamily#encoder}: embeddings and layers, no pooler) and its head (dropout and a linear classifier for the
 * BERT-like families). Built from the config's family, so the callers (training, evaluation, inference, serving) never
 * branch on the model type. Owns its {@link ModelWeights}; close the model to free them.
 *
 * <p>Three ways to run it: {@link #logits} for inference (no graph), {@link #forwardForTraining}
 * for the layer-wise backward ({@link LayerwiseBackward}), and {@link #forwardFullGraph} (one autograd graph, the
 * reference the layer-wise schedule is tested against).
 *
 * <p>Packed (padding-free) batches ({@link PackedSequences}) run through {@link #logits(PackedSequences)}
 * and {@link #forwardForTraining(PackedSequences)}: hidden states are [total_tokens, hidden], so every Linear,
 * LayerNorm and activation works on real tokens only, and self-attention uses the fused kernel's packed layout.
 * Only {@code --attention fused} runs them; eager and sdpa refuse with a message that says so (they would need
 * the batch padded again, which is the work packing removes). A backend the family's attention does not fit is
 * refused when the model is built or the backend changed ({@link ModelFamily#requireAttention}).
 *
 * <p>A model whose config.json says {@code "use_crf": true} also has a linear-chain CRF over its logits
 * ({@link #crf()}); the forward passes are the same, the loss and the decoding are the callers' (they ask {@link #crf()}).
 */
public final class EncoderForTokenClassification implements AutoCloseable {
  private final EncoderConfig config;
  private final ModelWeights weights;
  private final Placement placement;
  private final Encoder encoder;
  private final TokenClassificationHead head;
  private final LinearChainCrf crf; // null without "use_crf": true
  private AttentionBackend attention;
  private boolean training;

  /**
   * Takes ownership of {@code weights}, which must already live on {@code placement}; a model that cannot be built
   * (a backend its family refuses) frees them before it throws.
   */
  public EncoderForTokenClassification(EncoderConfig config, ModelWeights weights, Placement placement,
      AttentionBackend attention) {
    Natives.init();
    this.weights = Objects.requireNonNull(weights, "weights");
    try {
      this.config = Objects.requireNonNull(config, "config");
      this.placement = Objects.requireNonNull(placement, "placement");
      Objects.requireNonNull(attention, "attention");
      config.family().requireAttention(attention.implementation());
      this.attention = attention;
      this.encoder = config.family().encoder(weights, config);
      this.head = config.family().head(weights, config);
      this.crf = CrfSettings.of(config).enabled() ? new LinearChainCrf(weights, config) : null;
    } catch (RuntimeException e) {
      weights.close();
      throw e;
    }
  }

  public EncoderConfig config() {
    return config;
  }

  /** The config's family (modules, weight names, supported backends). */
  public ModelFamily family() {
    return config.family();
  }

  public ModelWeights weights() {
    return weights;
  }

  /**
   * The CRF over the logits when config.json asks for one ({@code "use_crf": true}), else null: the logits are then the
   * CRF's emissions, trained with its sequence loss and decoded with Viterbi instead of a per-token argmax.
   */
  public LinearChainCrf crf() {
    return crf;
  }

  public Placement placement() {
    return placement;
  }

  public AttentionBackend attention() {
    return attention;
  }

  /** Switches the attention backend; one the family does not support is refused. */
  public void setAttention(AttentionBackend attention) {
    Objects.requireNonNull(attention, "attention");
    config.family().requireAttention(attention.implementation());
    this.attention = attention;
  }

  /** Train mode turns dropout on (Hugging Face {@code model.train()}); eval mode turns it off. */
  public void train(boolean on) {
    this.training = on;
  }

  public boolean isTraining() {
    return training;
  }

  /**
   * Logits without building a graph (inference and evaluation).
   *
   * @param inputIds [batch, seq] int64
   * @param attentionMask [batch, seq] 0/1 (1 = real token)
   * @param tokenTypeIds [batch, seq] int64, or null for all zeros
   * @return [batch, seq, num_labels] in the model's precision; the caller owns it
   */
  public Tensor logits(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
    try (NoGradGuard noGrad = new NoGradGuard()) {
      return forward(inputIds, attentionMask, tokenTypeIds, null);
    }
  }

  /**
   * Forward pass whose backward runs layer by layer ({@link LayerwiseBackward}). Close the returned pass after
   * {@link ForwardPass#backward}; it owns the graph pieces and the logits.
   */
  public ForwardPass forwardForTraining(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
    requireGradMode();
    LayerwiseBackward tape = new LayerwiseBackward();
    try {
      Tensor logits = forward(inputIds, attentionMask, tokenTypeIds, tape);
      return new ForwardPass(logits, tape);
    } catch (RuntimeException e) {
      tape.close();
      throw e;
    }
  }

  /**
   * Logits of a packed batch without building a graph.
   *
   * @return [total_tokens, num_labels] in the model's precision, row i for token i of the packed input; the
   *     caller owns it
   */
  public Tensor logits(PackedSequences packed) {
    try (NoGradGuard noGrad = new NoGradGuard()) {
      return forwardPacked(packed, null);
    }
  }

  /**
   * The layer-wise training pass of a packed batch; {@link ForwardPass#logits()} is [total_tokens, num_labels].
   * Close the returned pass after {@link ForwardPass#backward}.
   */
  public ForwardPass forwardForTraining(PackedSequences packed) {
    requireGradMode();
    LayerwiseBackward tape = new LayerwiseBackward();
    try {
      Tensor logits = forwardPacked(packed, tape);
      return new ForwardPass(logits, tape);
    } catch (RuntimeException e) {
      tape.close();
      throw e;
    }
  }

  /** Forward pass as one autograd graph; {@code loss.backward()} then fills every gradient. */
  public Tensor forwardFullGraph(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
    requireGradMode();
    return forward(inputIds, attentionMask, tokenTypeIds, null);
  }

  private static void requireGradMode() {
    if (!GradMode.is_enabled()) {
      throw new IllegalStateException("a training forward pass needs grad mode; it is disabled (inside a NoGradGuard?)");
    }
  }

  private Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds, LayerwiseBackward tape) {
    checkInputs(inputIds, attentionMask, tokenTypeIds);
    try (Device device = placement.torchDevice();
        Tensor ids = Tensors.toDevice(inputIds, device, torch.ScalarType.Long);
        Tensor maskOnDevice = Tensors.toDevice(attentionMask, device, torch.ScalarType.Long);
        Tensor types = tokenTypeIds != null ? Tensors.toDevice(tokenTypeIds, device, torch.ScalarType.Long) : zerosLike(ids);
        Tensor positions = positionIds(ids.size(1));
        AttentionMask mask = AttentionMask.fromPadding(maskOnDevice, attentionMask, placement.precision().scalarType())) {
      return encodeAndClassify(new EncoderInput(ids, types, positions, mask), tape);
    }
  }

  private Tensor forwardPacked(PackedSequences packed, LayerwiseBackward tape) {
    Objects.requireNonNull(packed, "packed");
    if (!attention.implementation().supportsPacked()) {
      throw new UnsupportedOperationException("packed (padding-free) batches need --attention fused (the packed kernel);"
          + " the '" + attention.implementation() + "' backend takes padded batches only");
    }
    packed.check(config.maxSequenceLength());
    try (Device device = placement.torchDevice();
        Tensor ids = Tensors.toDevice(packed.inputIds(), device, torch.ScalarType.Long);
        Tensor types = packed.tokenTypeIds() != null ? Tensors.toDevice(packed.tokenTypeIds(), device, torch.ScalarType.Long)
            : zerosLike(ids);
        Tensor positions = Tensors.toDevice(packed.positionIds(), device, torch.ScalarType.Long);
        Tensor cuSeqlens = Tensors.toDevice(packed.cuSeqlens(), device, torch.ScalarType.Int);
        AttentionMask mask = AttentionMask.packed(cuSeqlens, packed.cuSeqlens(), packed.maxSeqlen())) {
      return encodeAndClassify(new EncoderInput(ids, types, positions, mask), tape);
    }
  }

  /**
   * The parameters in the order the layer-wise backward finishes their gradients, one group per module: the head,
   * the encoder layers from the last to the first, then everything that runs before the first layer (embeddings and
   * what the family computes once for every layer). {@link ForwardPass#backward(Tensor, IntConsumer)} reports group
   * {@code g} as soon as every gradient of {@code backwardGroups().get(g)} is final (the gradient marks of
   * {@link LayerwiseBackward}, set by {@link EncoderRun}); a data-parallel run all-reduces each group then. Which
   * group a parameter is in is the family's call ({@link ModelFamily#backwardGroup}).
   */
  public List<List<NamedParameter>> backwardGroups() {
    int layers = config.numHiddenLayers();
    List<List<NamedParameter>> groups = new ArrayList<>();
    for (int g = 0; g < layers + 2; g++) {
      groups.add(new ArrayList<>());
    }
    for (NamedParameter p : weights.parameters()) {
      // the CRF's gradients are final with the loss's own backward, before the head's
      int group = LinearChainCrf.owns(p.name()) ? 0 : config.family().backwardGroup(p.name(), layers);
      if (group < 0 || group > layers + 1) {
        throw new IllegalStateException("parameter " + p.name() + " is in backward group " + group + ", outside 0.."
            + (layers + 1));
      }
      groups.get(group).add(p);
    }
    return groups.stream().map(List::copyOf).toList();
  }

  /** The family's encoder, then its head; the shapes follow the ids (padded or packed). */
  private Tensor encodeAndClassify(EncoderInput input, LayerwiseBackward tape) {
    EncoderRun run = new EncoderRun(input.mask(), attention, training, tape);
    try (LayerwiseBackward.Recording recording = LayerwiseBackward.record(tape)) {
      run.mark(config.numHiddenLayers() + 1); // the gradient mark of what runs before the first layer
      return run.head(encoder.forward(input, run), head);
    }
  }

  private void checkInputs(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(attentionMask, "attentionMask");
    if (inputIds.dim() != 2) {
      throw new IllegalArgumentException("input_ids must be [batch, seq], got " + inputIds.dim() + " dims");
    }
    sameShape("attention_mask", attentionMask, inputIds);
    if (tokenTypeIds != null) {
      sameShape("token_type_ids", tokenTypeIds, inputIds);
    }
    if (inputIds.size(1) > config.maxSequenceLength()) {
      throw new IllegalArgumentException("sequence length " + inputIds.size(1) + " exceeds the " + config.maxSequenceLength()
          + " tokens max_position_embeddings " + config.maxPositionEmbeddings() + " gives " + config.family().displayName()
          + "; split long sentences into windows");
    }
  }

  private static void sameShape(String name, Tensor t, Tensor inputIds) {
    if (t.dim() != 2 || t.size(0) != inputIds.size(0) || t.size(1) != inputIds.size(1)) {
      throw new IllegalArgumentException(name + " must have the shape of input_ids [" + inputIds.size(0) + ", "
          + inputIds.size(1) + "], got " + t.dim() + " dims");
    }
  }

  private Tensor positionIds(long seq) {
    try (TensorOptions options = placement.longOptions(); Scalar end = new Scalar(seq)) {
      return torch.arange(end, options);
    }
  }

  private static Tensor zerosLike(Tensor ids) {
    return torch.zeros_like(ids);
  }

  /** Number of parameters (the sum of every tensor's element count). */
  public long parameterCount() {
    return weights.parameterCount();
  }

  @Override
  public void close() {
    if (crf != null) {
      crf.close();
    }
    weights.close();
  }

  /** A training forward pass: the logits and the tape their layer-wise backward runs on. */
  public static final class ForwardPass implements AutoCloseable {
    private final Tensor logits;
    private final LayerwiseBackward tape;

    ForwardPass(Tensor logits, LayerwiseBackward tape) {
      this.logits = logits;
      this.tape = tape;
    }

    /** [batch, seq, num_labels] ([total_tokens, num_labels] for a packed batch); owned by this pass. */
    public Tensor logits() {
      return logits;
    }

    /** Fills every parameter's gradient from {@code loss}, a scalar computed from {@link #logits()}. */
    public void backward(Tensor loss) {
      tape.backward(loss);
    }

    /**
     * {@link #backward(Tensor)}, calling {@code onGroupDone} with the index of each {@link #backwardGroups()} group
     * as soon as its gradients are final (0, 1, ... in order), while the backward of the groups below goes on.
     */
    public void backward(Tensor loss, IntConsumer onGroupDone) {
      tape.backward(loss, onGroupDone);
    }

    @Override
    public void close() {
      tape.close();
      logits.close();
    }
  }
}
