/**
 * RoBERTa and XLM-RoBERTa: BERT's layers under the {@code roberta.} prefix with RoBERTa's position ids (from
 * padding_idx + 1, skipping padding), padded and packed.
 */
package dev.exprbert.model.roberta;
