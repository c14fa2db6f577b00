/**
 * The native kernel library: its JavaCPP binding (one to one with {@code native/include/exprbert/kernels.h}), loading
 * with an ABI check, and the checked facades over the optimizer and attention kernels; knows nothing about BERT.
 */
package dev.exprbert.kernels;
