/** Inference: a loaded token classifier, and the Tagger that turns text into labelled spans. */
package dev.exprbert.infer;
