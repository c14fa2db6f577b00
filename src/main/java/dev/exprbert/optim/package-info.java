/** Optimizers (LibTorch or fused native AdamW), learning-rate schedules and gradient clipping. */
package dev.exprbert.optim;
