package dev.exprbert.model.deberta;

import dev.exprbert.model.Encoder;
import dev.exprbert.model.EncoderInput;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * transformers' {@code DebertaV2Model}: {@code deberta.embeddings}, then {@code deberta.encoder}. Padded batches only:
 * the relative-position scores need every (query, key) pair of a row, which a packed batch's kernel never forms
 * (the family supports eager and sdpa, so a packed batch cannot reach it; refused here too).
 */
final class DebertaV2Model implements Encoder {
  private final DebertaV2Embeddings embeddings;
  private final DebertaV2Encoder encoder;

  /** @param path the encoder's prefix ({@code deberta}) */
  DebertaV2Model(ModelWeights weights, WeightPath path, DebertaV2Config config) {
    this.embeddings = new DebertaV2Embeddings(weights, path.child("embeddings"), config);
    this.encoder = new DebertaV2Encoder(weights, path.child("encoder"), config);
  }

  static void declare(List<ParameterSpec> specs, WeightPath path, DebertaV2Config config) {
    DebertaV2Embeddings.declare(specs, path.child("embeddings"), config);
    DebertaV2Encoder.declare(specs, path.child("encoder"), config);
  }

  @Override
  public Tensor forward(EncoderInput input, EncoderRun run) {
    if (input.isPacked()) {
      throw new UnsupportedOperationException(DebertaV2Family.DEBERTA_V2.displayName() + " takes padded batches only"
          + " (its relative-position scores need each row's [seq, seq] scores); packed (padding-free) batches are not"
          + " supported");
    }
    Tensor hidden = embeddings.forward(input.inputIds(), input.mask().keep(), run.training());
    return encoder.forward(hidden, input.mask(), run);
  }
}
