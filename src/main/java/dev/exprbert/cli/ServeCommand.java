package dev.exprbert.cli;

import dev.exprbert.hub.ModelResolver;
import dev.exprbert.infer.Aggregation;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.serve.ComputeThreads;
import dev.exprbert.serve.ServeOptions;
import dev.exprbert.serve.TaggingServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert serve --model DIR}: the model behind HTTP ({@link TaggingServer}) until SIGTERM or Ctrl-C, which
 * drain it: accepted requests are answered before the process exits.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a token classifier over HTTP: POST /v1/tag, GET /v1/model, GET /health, GET /metrics.",
        "Concurrent requests are batched into one forward pass (packed, with no padding, when the attention is fused)."})
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory, or a hub name org/name[@revision].")
  String model;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--max-batch-tokens", defaultValue = "8192",
      description = "Token positions per forward pass: real tokens when packed, batch x longest when padded"
          + " (default: ${DEFAULT-VALUE}).")
  int maxBatchTokens;

  @Option(names = "--max-wait-ms", defaultValue = "5",
      description = "How long the oldest waiting request waits for others to share its batch (default: ${DEFAULT-VALUE}).")
  int maxWaitMs;

  @Option(names = "--threads", description = "Threads of each forward pass (the compute pools: LibTorch intra-op threads, and OpenBLAS unless OPENBLAS_NUM_THREADS is set; default: the cores available).")
  Integer threads;

  @Option(names = "--max-queue", defaultValue = "256",
      description = "Tagging requests accepted at once; more get 503 with Retry-After (default: ${DEFAULT-VALUE}).")
  int maxQueue;

  @Option(names = "--max-request-bytes", defaultValue = "1048576",
      description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(names = "--request-timeout-ms", defaultValue = "30000",
      description = "Longest time for one tagging request; later it gets 504 (default: ${DEFAULT-VALUE}).")
  int requestTimeoutMs;

  @Option(names = "--aggregation", defaultValue = "first",
      description = "Strategy for items that name none: none, simple, first, average or max (default: ${DEFAULT-VALUE}).")
  String aggregation;

  @Option(names = "--attention",
      description = "eager, sdpa or fused; only fused packs batches (default: the fastest the model's family supports:"
          + " fused, or sdpa for DeBERTa).")
  String attention;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Override
  public Integer call() throws Exception {
    ServeOptions options;
    try {
      options = new ServeOptions(host, port, maxBatchTokens, maxWaitMs, maxQueue, maxRequestBytes, requestTimeoutMs,
          Aggregation.parse(aggregation));
      if (threads != null && threads < 1) {
        throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Natives.init();
    Placement placement = DeviceOption.float32(spec, device);
    if (threads != null) {
      ComputeThreads.set(threads);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (TokenClassifier classifier = TokenClassifier.load(ModelResolver.resolve(model), placement, attention)) {
      TaggingServer server = TaggingServer.start(classifier, options);
      Thread drain = new Thread(server::close, "exprbert-drain");
      Runtime.getRuntime().addShutdownHook(drain);
      out.printf("serving %s (%s attention, %s batches, %d threads) on http://%s:%d%n", model,
          classifier.model().attention().implementation().hfName(),
          classifier.model().attention().implementation().supportsPacked() ? "packed" : "padded", ComputeThreads.current(), host, server.port());
      out.flush();
      server.awaitClosed();
    }
    return 0;
  }
}
