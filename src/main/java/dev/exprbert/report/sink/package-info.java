/**
 * Metric sinks: where training metrics go besides the log, one class per destination (TensorBoard
 * event files, CSV, JSON Lines), each opened on a folder, fed {@code (step, metrics)} and closed.
 */
package dev.exprbert.report.sink;
