package dev.exprbert.model.deberta;

import org.bytedeco.pytorch.Tensor;

/**
 * What every DeBERTa layer's attention shares in one forward pass, as transformers' {@code DebertaV2Encoder} hands it
 * to its layers; borrowed (the encoder owns them for the pass).
 *
 * @param relEmbeddings [rows, hidden]: the rows of {@code LayerNorm(rel_embeddings.weight)} the sequence can reach,
 *     computed once per pass (with a tape, the leaf of their own segment, which collects every layer's gradient)
 * @param rows [seq, seq] int64: the row of {@code relEmbeddings} for query i and key j ({@link RelativePositions}' row
 *     less the first reachable one)
 * @param mask [batch, 1, seq, seq] additive: 0 where query i and key j are both real tokens, else finfo(dtype).min
 */
record RelativeAttentionInputs(Tensor relEmbeddings, Tensor rows, Tensor mask) {}
