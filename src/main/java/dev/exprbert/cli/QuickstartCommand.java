package dev.exprbert.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code exprbert quickstart}: the embedded job README's first command runs (no download beyond Maven). */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Train a small BERT on a built-in synthetic sample, evaluate, save it and tag two sentences.")
final class QuickstartCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--output-dir", defaultValue = "runs/quickstart", description = "Where to write the run (default: ${DEFAULT-VALUE}).")
  Path outputDir;

  @CommandLine.Mixin
  ThreadsOption threads = new ThreadsOption();

  @Override
  public Integer call() throws Exception {
    threads.apply();
    Files.createDirectories(outputDir);
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true, java.nio.charset.StandardCharsets.UTF_8);
    QuickstartJob.run(outputDir, out);
    out.flush();
    return 0;
  }

  /** Bridges picocli's PrintWriter to the job's PrintStream, so tests capture everything. */
  private static final class WriterOutputStream extends java.io.OutputStream {
    private final java.io.PrintWriter writer;
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

    WriterOutputStream(java.io.PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) {
      buffer.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() {
      writer.write(buffer.toString(java.nio.charset.StandardCharsets.UTF_8));
      writer.flush();
      buffer.reset();
    }
  }
}
