package dev.exprbert.cli;

import dev.exprbert.dist.LaunchException;
import picocli.CommandLine;

/**
 * Maps failures to exit codes: usage errors are picocli's (2), and so is a launch whose torchrun variables cannot
 * work ({@link LaunchException}); anything else a command throws becomes a one-line reason on stderr and exit code 1
 * (set EXPRBERT_DEBUG=1 for the stack trace).
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  static final int FAILURE = 1;
  static final int USAGE = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    cli.getErr().println("exprbert " + cli.getCommandName() + ": " + message.replace('\n', ' '));
    if (System.getenv("EXPRBERT_DEBUG") != null) {
      e.printStackTrace(cli.getErr());
    }
    return e instanceof LaunchException ? USAGE : FAILURE;
  }
}
