/**
 * ModernBERT with its own config keys (the Hub's and transformers 5's spellings) and module names
 * ({@code ModernBertEmbeddings}, {@code ModernBertEncoderLayer} with {@code attn.Wqkv/Wo} and the GeGLU
 * {@code mlp.Wi/Wo}, {@code final_norm}, the {@code head} before the classifier), RoPE per layer type and sliding-window
 * attention on the local layers through every attention backend.
 */
package dev.exprbert.model.modernbert;
