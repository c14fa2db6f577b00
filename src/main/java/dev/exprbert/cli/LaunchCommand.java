package dev.exprbert.cli;

import dev.exprbert.dist.RankLauncher;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code exprbert launch}: torchrun for ExprBERT. Starts {@code --nproc_per_node} ranks of {@code train} on this
 * machine as child JVMs (same Java, class path and JVM options as the launcher), each with torchrun's environment
 * variables, their output prefixed with the rank; the first rank that fails ends the others and gives the launch its
 * exit code ({@link RankLauncher}). Ranks other than 0 log warnings and errors only (Hugging Face's
 * {@code log_level_replica}).
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
    description = {"Start the ranks of a data-parallel training run on this machine (torchrun's job).",
        "Example: exprbert launch --nproc_per_node 2 train --model_name_or_path DIR --train_file train.conll"
            + " --output_dir runs/x"})
final class LaunchCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"--nproc_per_node", "--nproc-per-node"}, paramLabel = "N", defaultValue = "1",
      description = "Ranks on this machine (default: ${DEFAULT-VALUE}).")
  int nprocPerNode;

  @Option(names = "--nnodes", paramLabel = "K", defaultValue = "1", description = "Machines (default: ${DEFAULT-VALUE}).")
  int nnodes;

  @Option(names = {"--node_rank", "--node-rank"}, paramLabel = "R", defaultValue = "0",
      description = "This machine's index, 0..K-1 (default: ${DEFAULT-VALUE}).")
  int nodeRank;

  @Option(names = {"--master_addr", "--master-addr"}, paramLabel = "ADDR",
      description = "Address of machine 0, where rank 0 hosts the rendezvous store (default: 127.0.0.1 on one machine).")
  String masterAddr;

  @Option(names = {"--master_port", "--master-port"}, paramLabel = "PORT", defaultValue = "" + RankLauncher.DEFAULT_PORT,
      description = "Port of the rendezvous store on machine 0 (default: ${DEFAULT-VALUE}).")
  int masterPort;

  @Parameters(arity = "1..*", paramLabel = "train ARGS", description = "The train command line each rank runs.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (!command.get(0).equals("train")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "launch runs the train command, found '"
          + command.get(0) + "': exprbert launch --nproc_per_node N train --train_file ...");
    }
    if (masterAddr == null && nnodes > 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--nnodes " + nnodes
          + " needs --master_addr: the address of machine 0, the same on every machine");
    }
    RankLauncher.Layout layout;
    try {
      layout = new RankLauncher.Layout(nprocPerNode, nnodes, nodeRank, masterAddr != null ? masterAddr : "127.0.0.1",
          masterPort);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return new RankLauncher(layout, System.getenv(), spec.commandLine().getOut(), spec.commandLine().getErr())
        .run(this::rankCommand);
  }

  /** This JVM's java, options and class path running {@code exprbert <command>}; replicas log warnings only. */
  private List<String> rankCommand(int rank) {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String option : options) {
      if (!option.startsWith("-agentlib:jdwp") && !option.startsWith("-Xrunjdwp")) {
        line.add(option); // a debugger port cannot be shared by several JVMs
      }
    }
    if (rank != 0 && options.stream().noneMatch(o -> o.startsWith("-Dorg.slf4j.simpleLogger.defaultLogLevel"))) {
      line.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    }
    line.add("-cp");
    line.add(System.getProperty("java.class.path"));
    line.add(ExprbertCommand.class.getName());
    line.addAll(command);
    return line;
  }
}
