/**
 * DeBERTa-v2/v3 with its own config keys and module names ({@code DebertaV2Embeddings}, {@code DebertaV2Encoder} with
 * {@code rel_embeddings} and its {@code LayerNorm}, {@code DebertaV2Layer} with {@code DisentangledSelfAttention}'s
 * {@code query_proj/key_proj/value_proj}): log-bucketed relative positions, c2p and p2c scores through the shared
 * content projections, pairwise masking, then BERT's post-LayerNorm block; eager and sdpa attention.
 */
package dev.exprbert.model.deberta;
