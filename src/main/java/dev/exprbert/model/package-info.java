/**
 * BERT for token classification as Hugging Face's modules spell it (embeddings, encoder layers, classifier head,
 * parameter names that are the checkpoint keys), its config, checkpoint loading and the model directory format;
 * runs padded or packed batches through the layer-wise backward.
 */
package dev.exprbert.model;
