/**
 * The optional linear-chain CRF head over a token classifier's logits: its config.json keys, the allowed transitions
 * of the label scheme, the negative log-likelihood over chains of labelled positions (forward algorithm, gold path
 * score) and Viterbi decoding on the host.
 */
package dev.exprbert.model.crf;
