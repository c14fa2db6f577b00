package dev.exprbert.model.deberta;

import org.bytedeco.pytorch.Tensor;

/**
 * What every DeBERTa layer's attention shares in one forward pass, as transformers' {@code DebertaV2Encoder} hands it
 * to its layers; borrowed (the encoder owns them for the pass).
 *
 * @param relEmbeddings [2 * position_buckets, hidden]: {@code LayerNorm(rel_embeddings.weight)}, computed once per
 *     pass (with a tape, the leaf of its own segment, which collects every layer's gradient)
 * @param rows [seq, seq] int64: the relative embedding row of query i and key j ({@link RelativePositions})
 * @param mask [batch, 1, seq, seq] additive: 0 where query i and key j are both real tokens, else finfo(dtype).min
 */
record RelativeAttentionInputs(Tensor relEmbeddings, Tensor rows, Tensor mask) {}
