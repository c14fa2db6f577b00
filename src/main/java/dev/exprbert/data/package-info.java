/**
 * Token-classification data: reading datasets (CoNLL columns, JSON Lines, pre-split text, and through {@code spans}
 * character-offset annotations) with errors that name the
 * file and line, label sets, sub-word alignment and windowing ({@link dev.exprbert.data.Window}), batching, and the
 * padded or packed model batches ({@link dev.exprbert.data.ModelBatch}) that run themselves through the model.
 */
package dev.exprbert.data;
