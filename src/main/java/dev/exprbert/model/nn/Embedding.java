package dev.exprbert.model.nn;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.Embedding}: rows of {@code path.weight} [rows, width] looked up by id. With a padding_idx (HF gives one to
 * every word table, {@code padding_idx=pad_token_id}, and RoBERTa to its position table) the row at that index gets no
 * gradient, as in PyTorch, and {@code _init_weights} starts it at zero.
 */
public final class Embedding {
  private final Tensor weight; // [rows, width]
  private final long paddingIdx; // -1 for none
  private final EmbeddingRowGradient rowGradient;

  /** @param paddingIdx the row that gets no gradient, or null */
  public Embedding(ModelWeights weights, WeightPath path, Integer paddingIdx) {
    this.weight = weights.get(path.key("weight"));
    this.paddingIdx = paddingIdx == null ? -1 : paddingIdx;
    this.rowGradient = new EmbeddingRowGradient(weight, this.paddingIdx);
    weights.closeWith(rowGradient);
  }

  /** Declares {@code path.weight} [rows, width], normal init with the padding row zeroed when there is one. */
  public static void declare(List<ParameterSpec> specs, WeightPath path, long rows, long width, boolean paddingRow) {
    specs.add(new ParameterSpec(path.key("weight"), new long[] {rows, width},
        paddingRow ? ParameterSpec.Init.NORMAL_PADDING_ROW_ZERO : ParameterSpec.Init.NORMAL));
  }

  /**
   * ids [...] int64 -> [..., width]; the caller owns the result. In a layer-wise training pass on the CPU the
   * table's gradient is written row by row ({@link EmbeddingRowGradient}) instead of by autograd's dense backward.
   */
  public Tensor forward(Tensor ids) {
    LayerwiseBackward tape = LayerwiseBackward.recording();
    if (rowGradient.applies(tape)) {
      return rowGradient.lookup(ids, tape);
    }
    return torch.embedding(weight, ids, paddingIdx, false, false);
  }
}
