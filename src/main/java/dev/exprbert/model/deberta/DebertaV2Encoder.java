package dev.exprbert.model.deberta;

import dev.exprbert.model.EncoderLayer;
import dev.exprbert.model.EncoderRun;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.attention.AttentionMask;
import dev.exprbert.model.nn.Embedding;
import dev.exprbert.model.nn.LayerNorm;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' {@code DebertaV2Encoder} ({@code deberta.encoder}): the {@link DebertaV2Layer}s under {@code layer.N},
 * the relative embeddings {@code rel_embeddings} [2 * position_buckets, hidden] and their {@code LayerNorm}
 * ({@code norm_rel_ebd "layer_norm"}). Once per pass it computes what every layer shares: the normalised relative
 * embeddings (one autograd segment of their own, so each layer's backward adds its share to their gradient) and
 * the rows of them the sequence can reach, the relative embedding row of each (query, key) pair, and the pairwise mask
 * of {@code get_attention_mask}.
 */
final class DebertaV2Encoder {
  private final List<DebertaV2Layer> layers;
  private final Tensor relEmbeddings; // [2 * position_buckets, hidden], borrowed
  private final LayerNorm layerNorm;
  private final int positionBuckets;
  private final int relativeSpan;

  DebertaV2Encoder(ModelWeights weights, WeightPath path, DebertaV2Config config) {
    List<DebertaV2Layer> built = new ArrayList<>();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      built.add(new DebertaV2Layer(weights, path.child("layer").child(i), config));
    }
    this.layers = List.copyOf(built);
    this.relEmbeddings = weights.get(path.child("rel_embeddings").key("weight"));
    this.layerNorm = new LayerNorm(weights, path.child("LayerNorm"), config.layerNormEps());
    this.positionBuckets = config.positionBuckets();
    this.relativeSpan = config.relativeSpan();
  }

  /** HF's order: the layers, then {@code rel_embeddings}, then {@code LayerNorm}. */
  static void declare(List<ParameterSpec> specs, WeightPath path, DebertaV2Config config) {
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      DebertaV2Layer.declare(specs, path.child("layer").child(i), config);
    }
    Embedding.declare(specs, path.child("rel_embeddings"), 2L * config.positionBuckets(), config.hiddenSize(), false);
    LayerNorm.declare(specs, path.child("LayerNorm"), config.hiddenSize(), true);
  }

  /**
   * Runs the layers on {@code hidden} [batch, seq, hidden] (consumed, {@link EncoderRun#layers}).
   *
   * @param mask the batch's padded mask
   */
  Tensor forward(Tensor hidden, AttentionMask mask, EncoderRun run) {
    long seq = hidden.size(1);
    // Only rows position_buckets +- (seq - 1) can be reached (a bucket is never farther than its distance): for
    // sentences shorter than the buckets, the per-layer projections of the relative embeddings and the c2p/p2c
    // products shrink from 2 * position_buckets rows to 2 * seq - 1. The same rows give the same scores (the
    // LayerNorm is per row; the rows left out get no gradient, as in transformers, where no pair gathers them).
    long first = Math.max(0, positionBuckets - (seq - 1));
    long count = Math.min(2L * positionBuckets - 1, positionBuckets + seq - 1) - first + 1;
    Tensor keyMask = mask.additive(); // [batch, 1, 1, seq], borrowed
    try (Tensor queryMask = keyMask.transpose(-1, -2);
        Tensor pairMask = torch.minimum(keyMask, queryMask); // min unless query and key are both real
        Tensor allRows = RelativePositions.embeddingRows(seq, positionBuckets, relativeSpan, mask.keep());
        Scalar offset = new Scalar(first);
        Tensor rows = allRows.sub(offset)) {
      Tensor rel;
      try (Tensor reachable = relEmbeddings.narrow(0, first, count)) {
        rel = layerNorm.forward(reachable); // get_rel_embedding(), row by row
      }
      Tensor relLeaf = run.boundary(rel);
      try {
        RelativeAttentionInputs inputs = new RelativeAttentionInputs(relLeaf, rows, pairMask);
        List<EncoderLayer> bound = new ArrayList<>(layers.size());
        for (DebertaV2Layer layer : layers) {
          bound.add((x, r) -> layer.forward(x, r, inputs));
        }
        return run.layers(hidden, bound);
      } finally {
        if (!run.recording()) {
          rel.close(); // with a tape, the tape owns it and its leaf
        }
      }
    }
  }
}
