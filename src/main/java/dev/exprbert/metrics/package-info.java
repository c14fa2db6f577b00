/**
 * Entity-level sequence-labelling metrics that reproduce seqeval 1.2.2 number for number
 * (quirks included, see {@code ../shared/notes/seqeval-semantics.md}), token accuracy, and the
 * Hugging Face {@code evaluate} seqeval report with its exact keys.
 *
 * <p>Entry points: {@link dev.exprbert.metrics.Seqeval} (batch, one call per metric, like the
 * Python functions), {@link dev.exprbert.metrics.SeqevalAccumulator} (streaming, one sentence at
 * a time) and {@link dev.exprbert.metrics.HfSeqevalReport} (what the Trainer logs).
 */
package dev.exprbert.metrics;
