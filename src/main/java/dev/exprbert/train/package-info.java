/**
 * Training as Hugging Face's Trainer does it: the typed configuration, the training loop and its step, the callback
 * event API, the run state, checkpoints, evaluation, and the files a finished run leaves.
 */
package dev.exprbert.train;
