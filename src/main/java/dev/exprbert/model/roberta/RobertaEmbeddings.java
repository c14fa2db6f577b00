package dev.exprbert.model.roberta;

import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.bert.BertEmbeddings;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * HF {@code RobertaEmbeddings} (also XLM-R's): BERT's embeddings with RoBERTa's position ids, which start at
 * {@code padding_idx + 1} and skip padding, computed from the input ids as transformers'
 * {@code create_position_ids_from_input_ids} does: {@code m = ids != pad}, {@code pos = cumsum(m) * m + pad}. So
 * real tokens get pad + 1, pad + 2, ... and padding gets pad. A packed batch gets the same per sequence (the cumulative
 * sum restarts at each sequence's start), so its positions equal the padded batch's row for row.
 */
public final class RobertaEmbeddings {
  private final BertEmbeddings embeddings;
  private final long paddingIdx;

  public RobertaEmbeddings(ModelWeights weights, WeightPath path, BertConfig config) {
    this.embeddings = new BertEmbeddings(weights, path, config, true);
    this.paddingIdx = config.padTokenId(); // validated: RoBERTa's position rule needs one
  }

  /** @return the ids' shape + [hidden]; the caller owns it */
  public Tensor forward(EncoderInput input, boolean training) {
    try (Tensor positions = input.isPacked() ? packedPositionIds(input.inputIds(), input.positionIds())
        : paddedPositionIds(input.inputIds())) {
      return embeddings.forward(input.inputIds(), input.tokenTypeIds(), positions, training);
    }
  }

  /** ids [batch, seq] -> [batch, seq] int64: cumsum of the non-padding mask along each row, times the mask, + pad. */
  Tensor paddedPositionIds(Tensor ids) {
    try (Scalar pad = new Scalar(paddingIdx);
        Tensor notPad = ids.ne(pad);
        Tensor mask = notPad.to(torch.ScalarType.Long);
        Tensor running = mask.cumsum(1);
        Tensor incremental = running.mul(mask)) {
      return incremental.add(pad);
    }
  }

  /**
   * ids [total_tokens] with each token's plain position (0 at its sequence's start) -> [total_tokens] int64: the
   * padded rule per sequence. A token at index t with plain position p starts its sequence at t - p; the running
   * count of non-padding tokens is taken over the whole batch and the count before that start subtracted.
   */
  Tensor packedPositionIds(Tensor ids, Tensor plainPositions) {
    try (Scalar pad = new Scalar(paddingIdx);
        Scalar end = new Scalar(ids.size(0));
        TensorOptions longs = ids.options();
        Tensor notPad = ids.ne(pad);
        Tensor mask = notPad.to(torch.ScalarType.Long);
        Tensor running = mask.cumsum(0);
        Tensor before = running.sub(mask);
        Tensor index = torch.arange(end, longs);
        Tensor starts = index.sub(plainPositions);
        Tensor base = before.index_select(0, starts);
        Tensor inSequence = running.sub(base);
        Tensor incremental = inSequence.mul(mask)) {
      return incremental.add(pad);
    }
  }
}
