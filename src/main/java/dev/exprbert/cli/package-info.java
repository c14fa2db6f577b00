/**
 * The {@code exprbert} command: one class per subcommand (quickstart, train, evaluate, predict, info, convert), the
 * quick-start job, and one error handler that maps failures to exit codes.
 */
package dev.exprbert.cli;
