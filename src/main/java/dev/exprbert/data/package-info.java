/**
 * Reads token-classification datasets (CoNLL columns, JSON Lines, pre-split text, and through
 * {@code spans} character-offset annotations) into sentences,
 * streaming and with errors that name the file and line, plus the label-set checks a trainer needs.
 */
package dev.exprbert.data;
