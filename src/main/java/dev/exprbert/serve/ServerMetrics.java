package dev.exprbert.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What {@code GET /metrics} reports, in the Prometheus text format (version 0.0.4): requests by endpoint and status,
 * sentences and tokens tagged, the batches the model ran (sequences and tokens per batch, padding computed), the time
 * requests waited for their first batch, request latency, and the requests in flight.
 */
final class ServerMetrics {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>(); // "path code" -> count
  final LongAdder sentences = new LongAdder();
  final LongAdder tokens = new LongAdder();
  final LongAdder paddingTokens = new LongAdder();
  final LongAdder batches = new LongAdder();
  final AtomicLong inFlight = new AtomicLong();
  final AtomicLong queuedWindows = new AtomicLong();
  final Histogram batchSequences = new Histogram("exprbert_batch_sequences", "Sequences (windows) per model forward pass.",
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512);
  final Histogram batchTokens = new Histogram("exprbert_batch_tokens",
      "Token positions computed per forward pass (real tokens when packed, batch x longest when padded).",
      64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
  final Histogram queueSeconds = new Histogram("exprbert_queue_seconds",
      "Time from a request's windows entering the queue to the start of their first forward pass.",
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);
  final Histogram requestSeconds = new Histogram("exprbert_request_duration_seconds",
      "Time to answer POST /v1/tag, from the request line to the last byte.",
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  void request(String path, int status) {
    requests.computeIfAbsent(path + " " + status, k -> new LongAdder()).increment();
  }

  long requests(String path, int status) {
    LongAdder a = requests.get(path + " " + status);
    return a == null ? 0 : a.sum();
  }

  String render() {
    StringBuilder out = new StringBuilder();
    out.append("# HELP exprbert_requests_total HTTP requests by path and status code.\n");
    out.append("# TYPE exprbert_requests_total counter\n");
    new TreeMap<>(requests).forEach((key, count) -> {
      String[] pathAndCode = key.split(" ");
      out.append("exprbert_requests_total{path=\"").append(pathAndCode[0]).append("\",code=\"").append(pathAndCode[1])
          .append("\"} ").append(count.sum()).append('\n');
    });
    counter(out, "exprbert_sentences_total", "Sentences (texts or word lists) tagged.", sentences.sum());
    counter(out, "exprbert_tokens_total", "Real sub-word tokens run through the model.", tokens.sum());
    counter(out, "exprbert_padding_tokens_total", "Padding positions run through the model (0 with packed batches).",
        paddingTokens.sum());
    counter(out, "exprbert_batches_total", "Model forward passes.", batches.sum());
    gauge(out, "exprbert_inflight_requests", "Tagging requests accepted and not yet answered.", inFlight.get());
    gauge(out, "exprbert_queued_windows", "Windows waiting for a forward pass.", queuedWindows.get());
    batchSequences.write(out);
    batchTokens.write(out);
    queueSeconds.write(out);
    requestSeconds.write(out);
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }
}
