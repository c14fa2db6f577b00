/** The shipped expression-tagging sample: a seeded generator of review sentences and the CoNLL files it writes. */
package dev.exprbert.train.sample;
