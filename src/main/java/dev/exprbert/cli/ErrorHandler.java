package dev.exprbert.cli;

import dev.exprbert.dist.LaunchException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import picocli.CommandLine;

/**
 * The one error handler of every {@code exprbert} command: whatever goes wrong is one line on stderr,
 * {@code exprbert <command>: <what and what to do>}, and an exit code.
 * <ul>
 *   <li>Usage errors (picocli's: an unknown flag, a missing or malformed value; or a command's own
 *       {@code ParameterException}, or a launch whose torchrun variables cannot work, {@link LaunchException}): exit 2, the flags by their names ({@code '--model'}, never the Java field
 *       picocli would show as {@code <model>}), similar flags for a misspelt one, and a pointer to {@code --help}
 *       instead of the whole usage text.
 *   <li>Failures: exit 1. A file-system error names the file and says what happened to it; a LibTorch/JavaCPP
 *       error (kilobytes of C++ dispatcher text and frames) becomes a sentence ({@link NativeErrors}).
 * </ul>
 * {@code EXPRBERT_DEBUG=1} adds the stack trace, with LibTorch's raw text, after that line.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
  static final int FAILURE = 1;
  static final int USAGE = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    if (e instanceof CommandLine.ParameterException usage) {
      return handleParseException(usage, new String[0]);
    }
    print(cli.getErr(), cli.getCommandSpec().qualifiedName() + ": " + describe(e), e);
    return e instanceof LaunchException ? USAGE : FAILURE;
  }

  @Override
  public int handleParseException(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    String name = cli.getCommandSpec().qualifiedName();
    StringBuilder line = new StringBuilder(name).append(": ").append(flagNames(e.getMessage()));
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
      // one spelling per flag: --learning_rate, not also --learning-rate
      List<String> similar = unmatched.getSuggestions().stream().map(f -> f.startsWith("--") ? "--" + f.substring(2)
          .replace('-', '_') : f).distinct().toList();
      if (!similar.isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", similar.subList(0, Math.min(3, similar.size()))))
            .append('?');
      }
    }
    line.append(" (see '").append(name).append(" --help')");
    print(cli.getErr(), line.toString(), e);
    return USAGE;
  }

  private static void print(PrintWriter err, String line, Throwable e) {
    err.println(line.replace('\r', ' ').replace('\n', ' '));
    if (System.getenv("EXPRBERT_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /** picocli's messages with flags alone: {@code '--model=<model>'} -> {@code '--model'}. */
  static String flagNames(String message) {
    if (message == null) {
      return "invalid command line";
    }
    return message.replaceAll("=<[^>]*>", "").replaceAll(" \\(<[^>]*>\\)", "").strip();
  }

  /** One sentence for a failure: what happened, to which file or argument, and what to do. */
  static String describe(Throwable e) {
    Throwable nativeError = NativeErrors.nativeCause(e);
    if (nativeError != null) {
      return NativeErrors.describe(e, nativeError);
    }
    if (e instanceof UncheckedIOException unchecked && unchecked.getCause() != null) {
      String outer = unchecked.getMessage();
      String inner = describe(unchecked.getCause());
      return outer == null || outer.equals(unchecked.getCause().toString()) || outer.contains(inner) ? inner
          : outer + ": " + inner;
    }
    if (e instanceof FileSystemException file && file.getFile() != null) {
      return fileProblem(file);
    }
    String message = e.getMessage();
    return message != null && !message.isBlank() ? message : e.getClass().getSimpleName();
  }

  private static String fileProblem(FileSystemException e) {
    String what = e.getFile() + (e.getOtherFile() != null ? " -> " + e.getOtherFile() : "");
    String reason = e.getReason();
    if (reason != null && !reason.isBlank()) {
      return what + ": " + reason;
    }
    if (e instanceof NoSuchFileException) {
      return what + ": no such file or folder";
    }
    if (e instanceof AccessDeniedException) {
      return what + ": permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return what + " already exists (a file where a folder is needed, or the other way round?)";
    }
    if (e instanceof NotDirectoryException) {
      return what + " is not a folder";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return what + " is a folder that is not empty";
    }
    return what + ": " + e.getClass().getSimpleName();
  }
}
