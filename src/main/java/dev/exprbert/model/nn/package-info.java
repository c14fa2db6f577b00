/**
 * The modules several families share, written once: Linear and LayerNorm (with their parameter declarations), the
 * activations, multi-head self-attention over the chosen backend, the post-LayerNorm block and the dropout + linear
 * token-classification head. Families name the weights; these compute.
 */
package dev.exprbert.model.nn;
