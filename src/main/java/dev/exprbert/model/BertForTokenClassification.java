package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
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
 * Hugging Face's {@code BertForTokenClassification}: BERT encoder (no pooler), dropout, linear
 * classifier. Owns its {@link ModelWeights}; close the model to free them.
 *
 * <p>Three ways to run it: {@link #logits} for inference (no graph), {@link #forwardForTraining}
 * for the layer-wise backward ({@link LayerwiseBackward}), and {@link #forwardFullGraph} (one autograd graph, the
 * reference the layer-wise schedule is tested against).
 *
 * <p>Packed (padding-free) batches ({@link PackedSequences}) run through {@link #logits(PackedSequences)}
 * and {@link #forwardForTraining(PackedSequences)}: hidden states are [total_tokens, hidden], so every Linear,
 * LayerNorm and activation works on real tokens only, and self-attention uses the fused kernel's packed layout.
 * Only {@code --attention fused} runs them; eager and sdpa refuse with a message that says so (they would need
 * the batch padded again, which is the work packing removes).
 */
public final class BertForTokenClassification implements AutoCloseable {
  private static final WeightPath ENCODER = WeightPath.ROOT.child(ParameterSpec.ENCODER_PREFIX);
  private final BertConfig config;
  private final ModelWeights weights;
  private final Placement placement;
  private final BertEmbeddings embeddings;
  private final List<BertLayer> layers;
  private final Linear classifier;
  private final double classifierDropout;
  private AttentionBackend attention;
  private boolean training;

  /** Takes ownership of {@code weights}, which must already live on {@code placement}. */
  public BertForTokenClassification(BertConfig config, ModelWeights weights, Placement placement, AttentionBackend attention) {
    Natives.init();
    this.config = Objects.requireNonNull(config, "config");
    this.weights = Objects.requireNonNull(weights, "weights");
    this.placement = Objects.requireNonNull(placement, "placement");
    this.attention = Objects.requireNonNull(attention, "attention");
    WeightPath bert = ENCODER;
    this.embeddings = new BertEmbeddings(weights, bert.child("embeddings"), config);
    List<BertLayer> built = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      built.add(new BertLayer(weights, bert.child("encoder").child("layer").child(i), config));
    }
    this.layers = List.copyOf(built);
    this.classifier = new Linear(weights, WeightPath.ROOT.child("classifier"));
    this.classifierDropout = config.effectiveClassifierDropout();
  }

  public BertConfig config() {
    return config;
  }

  public ModelWeights weights() {
    return weights;
  }

  public Placement placement() {
    return placement;
  }

  public AttentionBackend attention() {
    return attention;
  }

  public void setAttention(AttentionBackend attention) {
    this.attention = Objects.requireNonNull(attention, "attention");
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
      return encodeAndClassify(ids, types, positions, mask, tape);
    }
  }

  private Tensor forwardPacked(PackedSequences packed, LayerwiseBackward tape) {
    Objects.requireNonNull(packed, "packed");
    if (!attention.implementation().supportsPacked()) {
      throw new UnsupportedOperationException("packed (padding-free) batches need --attention fused (the packed kernel);"
          + " the '" + attention.implementation() + "' backend takes padded batches only");
    }
    packed.check(config.maxPositionEmbeddings());
    try (Device device = placement.torchDevice();
        Tensor ids = Tensors.toDevice(packed.inputIds(), device, torch.ScalarType.Long);
        Tensor types = packed.tokenTypeIds() != null ? Tensors.toDevice(packed.tokenTypeIds(), device, torch.ScalarType.Long)
            : zerosLike(ids);
        Tensor positions = Tensors.toDevice(packed.positionIds(), device, torch.ScalarType.Long);
        Tensor cuSeqlens = Tensors.toDevice(packed.cuSeqlens(), device, torch.ScalarType.Int);
        AttentionMask mask = AttentionMask.packed(cuSeqlens, packed.cuSeqlens(), packed.maxSeqlen())) {
      return encodeAndClassify(ids, types, positions, mask, tape);
    }
  }

  /**
   * The parameters in the order the layer-wise backward finishes their gradients, one group per module: the
   * classifier, the encoder layers from the last to the first, the embeddings. {@link ForwardPass#backward(Tensor,
   * IntConsumer)} reports group {@code g} as soon as every gradient of {@code backwardGroups().get(g)} is final
   * (the gradient marks of {@link LayerwiseBackward}); a data-parallel run all-reduces each group then.
   *
   * @throws IllegalStateException naming a parameter no group holds (a module added without its mark)
   */
  public List<List<NamedParameter>> backwardGroups() {
    List<String> prefixes = new ArrayList<>();
    prefixes.add(WeightPath.ROOT.child("classifier") + ".");
    for (int i = layers.size() - 1; i >= 0; i--) {
      prefixes.add(ENCODER.child("encoder").child("layer").child(i) + ".");
    }
    prefixes.add(ENCODER.child("embeddings") + ".");
    List<List<NamedParameter>> groups = new ArrayList<>();
    prefixes.forEach(p -> groups.add(new ArrayList<>()));
    for (NamedParameter p : weights.parameters()) {
      int group = -1;
      for (int g = 0; g < prefixes.size() && group < 0; g++) {
        group = p.name().startsWith(prefixes.get(g)) ? g : -1;
      }
      if (group < 0) {
        throw new IllegalStateException("parameter " + p.name() + " belongs to no backward group " + prefixes);
      }
      groups.get(group).add(p);
    }
    return groups.stream().map(List::copyOf).toList();
  }

  /** Embeddings, encoder layers, dropout and classifier; the shapes follow the ids (padded or packed). */
  private Tensor encodeAndClassify(Tensor ids, Tensor types, Tensor positions, AttentionMask mask, LayerwiseBackward tape) {
    // gradient marks, numbered as backwardGroups(): each module's mark goes right before its forward
    if (tape != null) {
      tape.mark(layers.size() + 1);
    }
    Tensor hidden = embeddings.forward(ids, types, positions, training);
    for (int i = 0; i < layers.size(); i++) {
      BertLayer layer = layers.get(i);
      Tensor input = tape != null ? tape.boundary(hidden) : hidden;
      if (tape != null) {
        tape.mark(layers.size() - i);
      }
      Tensor next = layer.forward(input, mask, attention, training, tape);
      if (tape == null) {
        hidden.close(); // with a tape, the tape owns every segment's output and input leaf
      }
      hidden = next;
    }
    Tensor headInput = tape != null ? tape.boundary(hidden) : hidden;
    if (tape != null) {
      tape.mark(0);
    }
    try (Tensor dropped = torch.dropout(headInput, classifierDropout, training)) {
      return classifier.forward(dropped);
    } finally {
      if (tape == null) {
        hidden.close();
      }
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
    if (inputIds.size(1) > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("sequence length " + inputIds.size(1) + " exceeds max_position_embeddings "
          + config.maxPositionEmbeddings() + "; split long sentences into windows");
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
