/** The layer-wise backward that lets native kernels be graph boundaries inside LibTorch autograd. */
package dev.exprbert.autograd;
