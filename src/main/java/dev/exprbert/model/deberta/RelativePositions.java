package dev.exprbert.model.deberta;

import dev.exprbert.runtime.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DeBERTa's relative positions of a sequence: query i sees key j at {@code r = i - j}, which transformers'
 * {@code make_log_bucket_position} maps to a log bucket (exact within {@code position_buckets / 2} of the query,
 * logarithmically coarser up to the relative span), and the bucket to a row of the relative embeddings,
 * {@code clamp(bucket + position_buckets, 0, 2 * position_buckets - 1)}. The bucket arithmetic runs in float32 with
 * transformers' operations in its order, on the model's device, so every pair lands in the row transformers gives it
 * (a bucket is a {@code ceil} of a logarithm: computed otherwise, one near an integer could move to its neighbour).
 */
final class RelativePositions {
  private RelativePositions() {}

  /**
   * @param seq the sequence length (queries and keys are the same tokens)
   * @param buckets {@code position_buckets}
   * @param span the relative span ({@link DebertaV2Config#relativeSpan()})
   * @param like an int64 tensor on the model's device (the batch's mask), whose options the positions take
   * @return [seq, seq] int64: the relative embedding row of query i and key j; the caller owns it
   */
  static Tensor embeddingRows(long seq, int buckets, int span, Tensor like) {
    try (PointerScope scope = new PointerScope()) {
      Tensor ids = torch.arange(new Scalar(seq), like.options());
      Tensor relative = ids.unsqueeze(1).sub(ids.unsqueeze(0)); // i - j
      Tensor bucket = logBucket(relative, buckets, span).to(ScalarType.Long);
      Tensor rows = bucket.add(new Scalar(buckets)).clamp(new ScalarOptional(new Scalar(0)),
          new ScalarOptional(new Scalar(2L * buckets - 1)));
      return Tensors.outlive(scope, rows);
    }
  }

  /**
   * transformers' {@code make_log_bucket_position(relative_pos, bucket_size, max_position)}: float32 buckets of int64
   * relative positions; temporaries belong to the caller's scope.
   */
  static Tensor logBucket(Tensor relative, int buckets, int span) {
    long mid = buckets / 2;
    Tensor sign = relative.sign();
    Tensor near = relative.lt(new Scalar(mid)).logical_and(relative.gt(new Scalar(-mid)));
    Tensor absPos = torch.where(near, new Scalar(mid - 1), relative.abs()); // int64, as torch.tensor(mid - 1).type_as
    Tensor ratio = absPos.to(ScalarType.Float).div(new Scalar((double) mid)); // abs_pos / mid: true division, float32
    // torch.log(torch.tensor((max_position - 1) / mid)): a Python float made a float32 tensor on the CPU
    Tensor spanRatio = torch.scalar_tensor(new Scalar((double) (float) ((span - 1) / (double) mid)),
        new TensorOptions(ScalarType.Float));
    Tensor logSpan = torch.log(spanRatio);
    Tensor scaled = ratio.log().div(logSpan).mul(new Scalar(mid - 1));
    Tensor logPos = torch.ceil(scaled).add(new Scalar(mid));
    Tensor far = logPos.mul(sign);
    return torch.where(absPos.le(new Scalar(mid)), relative.to(ScalarType.Float), far);
  }
}
