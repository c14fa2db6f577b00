package dev.exprbert.cli;

import dev.exprbert.runtime.Natives;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --threads N}: the CPU threads of the process's one compute pool (LibTorch's intra-op threads, which our
 * kernels follow, and OpenBLAS unless OPENBLAS_NUM_THREADS is set). Default: the cores the process may use, or {@code EXPRBERT_NUM_THREADS}, or
 * the user's {@code OMP_NUM_THREADS}. Applied before LibTorch loads.
 */
final class ThreadsOption {
  @Spec(Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  Integer threads;

  /** A value below 1 is a usage error naming the flag, before anything runs. */
  @Option(names = "--threads", paramLabel = "N",
      description = "CPU threads (default: the cores available to the process, or EXPRBERT_NUM_THREADS / OMP_NUM_THREADS).")
  void setThreads(int value) {
    if (value < 1) {
      throw new CommandLine.ParameterException(mixee.commandLine(), "--threads must be >= 1, got " + value);
    }
    threads = value;
  }

  /** Records the choice before anything loads LibTorch (or resizes the pool if it is loaded). */
  void apply() {
    if (threads != null) {
      Natives.requestThreads(threads);
    }
  }
}
