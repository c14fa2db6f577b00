package dev.exprbert.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code exprbert} command: one subcommand per class, one error handler, exit codes 0 / 1 / 2. */
@Command(name = "exprbert", mixinStandardHelpOptions = true, version = "exprbert 0.1.0",
    description = "Fine-tune and run BERT token classifiers (expression tagging) on the JVM.",
    subcommands = {QuickstartCommand.class, TrainCommand.class, EvaluateCommand.class, InfoCommand.class,
        PredictCommand.class, ConvertCommand.class, ConvertDataCommand.class, ExportOnnxCommand.class,
        ServeCommand.class, LaunchCommand.class})
public final class ExprbertCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** With no subcommand, run the quick-start job (README's first command). */
  @Override
  public void run() {
    spec.commandLine().execute("quickstart");
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with injectable writers (tests use this); returns the exit code. */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new ExprbertCommand());
    cli.setOut(out);
    cli.setErr(err);
    ErrorHandler errors = new ErrorHandler();
    cli.setExecutionExceptionHandler(errors);
    cli.setParameterExceptionHandler(errors);
    // everything after `launch [options] train` belongs to the train command the ranks run
    cli.getSubcommands().get("launch").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
    return cli.execute(args);
  }
}
