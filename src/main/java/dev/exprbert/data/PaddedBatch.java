package dev.exprbert.data;

import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Aligned sentences padded to the longest one: input_ids, attention_mask, token_type_ids and (when
 * every sentence has them) labels, all [batch, seq] int64 CPU tensors owned by this batch.
 * Padding uses the tokenizer's pad id, mask 0 and label -100. The padded {@link ModelBatch}.
 */
public final class PaddedBatch implements ModelBatch {
  private final List<AlignedSentence> sentences;
  private final long realTokens;
  private final long labelledTokens;
  private final Tensor inputIds;
  private final Tensor attentionMask;
  private final Tensor tokenTypeIds;
  private final Tensor labels; // null when unlabelled

  /** Pads the encodings of {@code features}. */
  public static PaddedBatch ofFeatures(List<Feature> features, long padTokenId) {
    return new PaddedBatch(features.stream().map(Feature::encoding).toList(), padTokenId);
  }

  public PaddedBatch(List<AlignedSentence> sentences, long padTokenId) {
    if (sentences.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one sentence");
    }
    this.sentences = List.copyOf(sentences);
    this.realTokens = sentences.stream().mapToLong(AlignedSentence::length).sum();
    this.labelledTokens = sentences.stream().mapToLong(AlignedSentence::labelledTokens).sum();
    int batch = sentences.size();
    int seq = sentences.stream().mapToInt(AlignedSentence::length).max().orElseThrow();
    long[] ids = new long[batch * seq];
    long[] mask = new long[batch * seq];
    long[] types = new long[batch * seq];
    boolean labelled = sentences.stream().allMatch(AlignedSentence::hasLabels);
    long[] labelIds = labelled ? new long[batch * seq] : null;
    java.util.Arrays.fill(ids, padTokenId);
    if (labelled) {
      java.util.Arrays.fill(labelIds, SubwordAligner.IGNORE_INDEX);
    }
    for (int b = 0; b < batch; b++) {
      AlignedSentence s = sentences.get(b);
      System.arraycopy(s.inputIds(), 0, ids, b * seq, s.length());
      System.arraycopy(s.attentionMask(), 0, mask, b * seq, s.length());
      System.arraycopy(s.tokenTypeIds(), 0, types, b * seq, s.length());
      if (labelled) {
        System.arraycopy(s.labelIds(), 0, labelIds, b * seq, s.length());
      }
    }
    this.inputIds = Tensors.longs(ids, batch, seq);
    this.attentionMask = Tensors.longs(mask, batch, seq);
    this.tokenTypeIds = Tensors.longs(types, batch, seq);
    this.labels = labelled ? Tensors.longs(labelIds, batch, seq) : null;
  }

  public List<AlignedSentence> sentences() {
    return sentences;
  }

  public Tensor inputIds() {
    return inputIds;
  }

  public Tensor attentionMask() {
    return attentionMask;
  }

  public Tensor tokenTypeIds() {
    return tokenTypeIds;
  }

  /** [batch, seq] label ids with -100 where no label applies; null for unlabelled sentences. */
  @Override
  public Tensor labels() {
    return labels;
  }

  public long seqLength() {
    return inputIds.size(1);
  }

  @Override
  public int size() {
    return sentences.size();
  }

  @Override
  public int rowOf(int sentence) {
    return (int) (sentence * seqLength());
  }

  @Override
  public long labelledTokens() {
    return labelledTokens;
  }

  @Override
  public long realTokens() {
    return realTokens;
  }

  @Override
  public long computedTokens() {
    return inputIds.numel();
  }

  @Override
  public Tensor logits(EncoderForTokenClassification model) {
    return model.logits(inputIds, attentionMask, tokenTypeIds);
  }

  @Override
  public EncoderForTokenClassification.ForwardPass forwardForTraining(EncoderForTokenClassification model) {
    return model.forwardForTraining(inputIds, attentionMask, tokenTypeIds);
  }

  @Override
  public void close() {
    inputIds.close();
    attentionMask.close();
    tokenTypeIds.close();
    if (labels != null) {
      labels.close();
    }
  }
}
