package dev.exprbert.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A model directory's tokenizer, loaded on a thread of its own while the caller loads LibTorch and the weights: the
 * tokenizer library's start and the parsing of tokenizer.json (about 2.7 s on a busy 2-core machine) need neither,
 * so a model is ready that much sooner. Owned: {@link #close()} waits for the load and frees the tokenizer unless
 * {@link #take()} handed it out, so nothing runs on after its owner is done.
 */
public final class BackgroundTokenizer implements AutoCloseable {
  private final CompletableFuture<ModelTokenizer> loading;
  private boolean taken;

  private BackgroundTokenizer(CompletableFuture<ModelTokenizer> loading) {
    this.loading = loading;
  }

  /**
   * Starts {@link TokenizerLoader#load(Path)} of {@code dir} on a new daemon thread. Call
   * {@code Natives.prepareEnvironment()} first: the tokenizer's native library must not start while the process
   * environment is being set ([note: environment first]).
   */
  public static BackgroundTokenizer start(Path dir) {
    CompletableFuture<ModelTokenizer> future = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        future.complete(TokenizerLoader.load(dir));
      } catch (Throwable e) { // handed to take(), which rethrows it on the caller's thread
        future.completeExceptionally(e);
      }
    }, "exprbert-tokenizer-load");
    thread.setDaemon(true);
    thread.start();
    return new BackgroundTokenizer(future);
  }

  /** Waits for the tokenizer; the caller then owns it. Throws what {@link TokenizerLoader#load} threw. */
  public ModelTokenizer take() throws IOException {
    try {
      ModelTokenizer tokenizer = loading.join();
      taken = true;
      return tokenizer;
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      } else if (cause instanceof UncheckedIOException unchecked) {
        throw unchecked;
      } else if (cause instanceof RuntimeException runtime) {
        throw runtime;
      } else if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Waits for the load to end and closes the tokenizer when nobody took it. */
  @Override
  public void close() {
    if (taken) {
      return;
    }
    try {
      loading.join().close();
    } catch (CompletionException ignored) { // the load failed; the caller's own error is the one that matters
    }
  }
}
