/**
 * The attention backends behind one interface and one tensor layout (eager, sdpa, fused) and the attention mask
 * of a padded or packed batch.
 */
package dev.exprbert.model.attention;
