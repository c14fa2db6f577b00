/**
 * The documents a finished run leaves beside its model: the Hugging Face style model card, the training chart, and
 * the Python-style number formatting they print with.
 */
package dev.exprbert.report;
