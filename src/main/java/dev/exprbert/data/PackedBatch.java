package dev.exprbert.data;

import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.PackedSequences;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The packed form of a batch: every feature's tokens concatenated with no padding,
 * {@code cu_seqlens} [batch + 1] holding each feature's start offset (FlashAttention's layout),
 * and per-token position ids that restart at 0 for each feature. For attention backends that take
 * packed sequences, so no work is spent on padding. The packed {@link ModelBatch}. Owns its tensors.
 */
public final class PackedBatch implements ModelBatch {
  private final List<Feature> features;
  private final int[] offsets;
  private final long labelledTokens;
  private final Tensor inputIds;     // [total_tokens] int64
  private final Tensor tokenTypeIds; // [total_tokens] int64
  private final Tensor positionIds;  // [total_tokens] int64
  private final Tensor cuSeqlens;    // [batch + 1] int32
  private final Tensor labels;       // [total_tokens] int64, or null
  private final int maxSeqLength;

  public PackedBatch(List<Feature> features) {
    this(features, features.stream().map(Feature::encoding).toList());
  }

  /** Packs encoded sentences (inference: no windows); {@link #features()} is then empty. */
  public static PackedBatch ofSentences(List<AlignedSentence> sentences) {
    return new PackedBatch(List.of(), sentences);
  }

  private PackedBatch(List<Feature> features, List<AlignedSentence> sentences) {
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one feature");
    }
    this.features = List.copyOf(features);
    int total = sentences.stream().mapToInt(AlignedSentence::length).sum();
    long[] ids = new long[total];
    long[] types = new long[total];
    long[] positions = new long[total];
    long[] offsetsOf = new long[sentences.size() + 1];
    boolean labelled = sentences.stream().allMatch(AlignedSentence::hasLabels);
    long[] labelIds = labelled ? new long[total] : null;
    int at = 0;
    int longest = 0;
    for (int b = 0; b < sentences.size(); b++) {
      AlignedSentence s = sentences.get(b);
      int n = s.length();
      System.arraycopy(s.inputIds(), 0, ids, at, n);
      System.arraycopy(s.tokenTypeIds(), 0, types, at, n);
      if (labelled) {
        System.arraycopy(s.labelIds(), 0, labelIds, at, n);
      }
      for (int i = 0; i < n; i++) {
        positions[at + i] = i;
      }
      at += n;
      offsetsOf[b + 1] = at;
      longest = Math.max(longest, n);
    }
    this.maxSeqLength = longest;
    this.offsets = new int[sentences.size()];
    for (int b = 0; b < offsets.length; b++) {
      offsets[b] = (int) offsetsOf[b];
    }
    this.labelledTokens = sentences.stream().mapToLong(AlignedSentence::labelledTokens).sum();
    this.inputIds = Tensors.longs(ids, total);
    this.tokenTypeIds = Tensors.longs(types, total);
    this.positionIds = Tensors.longs(positions, total);
    try (Tensor offsets64 = Tensors.longs(offsetsOf, offsetsOf.length)) {
      this.cuSeqlens = offsets64.to(org.bytedeco.pytorch.global.torch.ScalarType.Int);
    }
    this.labels = labelled ? Tensors.longs(labelIds, total) : null;
  }

  public List<Feature> features() {
    return features;
  }

  public Tensor inputIds() {
    return inputIds;
  }

  public Tensor tokenTypeIds() {
    return tokenTypeIds;
  }

  public Tensor positionIds() {
    return positionIds;
  }

  /** [batch + 1] int32 start offsets; the last one is the total token count. */
  public Tensor cuSeqlens() {
    return cuSeqlens;
  }

  @Override
  public Tensor labels() {
    return labels;
  }

  public int maxSeqLength() {
    return maxSeqLength;
  }

  public long totalTokens() {
    return inputIds.size(0);
  }

  /** The model input (borrows this batch's tensors). */
  public PackedSequences modelInput() {
    return new PackedSequences(inputIds, tokenTypeIds, positionIds, cuSeqlens, maxSeqLength);
  }

  @Override
  public int size() {
    return offsets.length;
  }

  @Override
  public int rowOf(int sentence) {
    return offsets[sentence];
  }

  @Override
  public long labelledTokens() {
    return labelledTokens;
  }

  @Override
  public long realTokens() {
    return totalTokens();
  }

  @Override
  public long computedTokens() {
    return totalTokens();
  }

  @Override
  public Tensor logits(EncoderForTokenClassification model) {
    return model.logits(modelInput());
  }

  @Override
  public EncoderForTokenClassification.ForwardPass forwardForTraining(EncoderForTokenClassification model) {
    return model.forwardForTraining(modelInput());
  }

  @Override
  public void close() {
    inputIds.close();
    tokenTypeIds.close();
    positionIds.close();
    cuSeqlens.close();
    if (labels != null) {
      labels.close();
    }
  }
}
