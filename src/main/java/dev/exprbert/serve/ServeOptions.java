package dev.exprbert.serve;

import dev.exprbert.infer.Aggregation;

/**
 * How {@code exprbert serve} runs.
 *
 * @param host the address to listen on
 * @param port the TCP port (0: any free port; {@link TaggingServer#port()} says which)
 * @param maxBatchTokens token positions per forward pass (real tokens when packed, batch x longest when padded)
 * @param maxWaitMs how long the oldest waiting window waits for company before its batch runs
 * @param maxQueue tagging requests accepted at once (waiting or computing); one more gets 503 + Retry-After
 * @param maxRequestBytes the largest request body; a larger one gets 413
 * @param requestTimeoutMs how long a tagging request may take; after that it gets 504 and is dropped from the queue
 * @param aggregation the strategy for items that name none
 */
public record ServeOptions(String host, int port, int maxBatchTokens, int maxWaitMs, int maxQueue, int maxRequestBytes,
    int requestTimeoutMs, Aggregation aggregation) {
  public ServeOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    if (maxBatchTokens < 1 || maxWaitMs < 0 || maxQueue < 1 || maxRequestBytes < 1 || requestTimeoutMs < 1) {
      throw new IllegalArgumentException("--max-batch-tokens, --max-queue, --max-request-bytes and --request-timeout-ms must be"
          + " >= 1 and --max-wait-ms >= 0; got " + maxBatchTokens + ", " + maxQueue + ", " + maxRequestBytes + ", "
          + requestTimeoutMs + " and " + maxWaitMs);
    }
  }

  /** 127.0.0.1:8080, 8192 tokens per batch, 5 ms wait, 256 requests queued, 1 MiB bodies, 30 s timeout, first. */
  public static ServeOptions defaults() {
    return new ServeOptions("127.0.0.1", 8080, 8192, 5, 256, 1 << 20, 30_000, Aggregation.FIRST);
  }

  public ServeOptions withPort(int value) {
    return new ServeOptions(host, value, maxBatchTokens, maxWaitMs, maxQueue, maxRequestBytes, requestTimeoutMs, aggregation);
  }

  public ServeOptions withBatching(int tokens, int waitMs) {
    return new ServeOptions(host, port, tokens, waitMs, maxQueue, maxRequestBytes, requestTimeoutMs, aggregation);
  }

  public ServeOptions withLimits(int queue, int requestBytes, int timeoutMs) {
    return new ServeOptions(host, port, maxBatchTokens, maxWaitMs, queue, requestBytes, timeoutMs, aggregation);
  }
}
