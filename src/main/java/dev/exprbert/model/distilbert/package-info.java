/**
 * DistilBERT with its own config keys and module names ({@code Embeddings}, {@code TransformerBlock} with
 * {@code q_lin/k_lin/v_lin/out_lin}, {@code sa_layer_norm}, {@code ffn.lin1/lin2}, {@code output_layer_norm}),
 * computing the shared post-LayerNorm block.
 */
package dev.exprbert.model.distilbert;
