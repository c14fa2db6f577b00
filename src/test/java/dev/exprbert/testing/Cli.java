package dev.exprbert.testing;

import dev.exprbert.cli.ExprbertCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code exprbert} command line in-process and keeps what it printed. */
public final class Cli {
  private Cli() {}

  /** Exit code, standard output and standard error of one command line. */
  public record Run(int code, String out, String err) {}

  public static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ExprbertCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }
}
