package dev.exprbert.cli;

import java.util.Locale;

/**
 * LibTorch errors as one sentence. JavaCPP turns a C++ exception into a plain {@code RuntimeException} whose message is
 * the exception's {@code what()}: for a {@code c10::Error} the message, then "Exception raised from ..." and dozens of
 * C++ frames, and for a dispatcher miss a list of every backend and kernel (one such message was 14.9 kB). The user
 * needs the first sentence and what to do about it; the raw text is kept for {@code EXPRBERT_DEBUG=1}.
 */
final class NativeErrors {
  /** Longest excerpt of LibTorch's own message in the sentence. */
  private static final int EXCERPT = 200;

  private NativeErrors() {}

  /** The exception in {@code e}'s cause chain that native code threw, or null. */
  static Throwable nativeCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      StackTraceElement[] frames = t.getStackTrace();
      if (frames.length > 0 && frames[0].isNativeMethod() && frames[0].getClassName().startsWith("org.bytedeco.")) {
        return t;
      }
    }
    return null;
  }

  /** The sentence for {@code nativeError}, with what the Java code around it said it was doing. */
  static String describe(Throwable top, Throwable nativeError) {
    String raw = nativeError.getMessage() == null ? "" : nativeError.getMessage();
    String excerpt = excerpt(raw);
    String lower = raw.toLowerCase(Locale.ROOT);
    String sentence;
    if (lower.contains("out of memory") || lower.contains("not enough memory") || lower.contains("can't allocate memory")) {
      sentence = "LibTorch ran out of memory (" + excerpt + "): lower the batch size (--per_device_train_batch_size,"
          + " --per_device_eval_batch_size or --batch-size) or --max_seq_length, or free the device";
    } else if (lower.contains("cuda") && (lower.contains("driver") || lower.contains("no kernel image")
        || lower.contains("not compiled with cuda") || lower.contains("'cuda' backend") || lower.contains("cuda error"))) {
      sentence = "LibTorch cannot run this on CUDA (" + excerpt + "): check --device and the NVIDIA driver, or use"
          + " --device cpu";
    } else {
      sentence = "LibTorch failed: " + excerpt;
    }
    String context = top != nativeError && top.getMessage() != null && !top.getMessage().equals(raw)
        && !top.getMessage().contains(raw) ? excerpt(top.getMessage()) : null;
    return (context != null ? context + ": " : "") + sentence + " (EXPRBERT_DEBUG=1 shows LibTorch's full message)";
  }

  /** The first line of a LibTorch message, without its C++ source location, at most {@link #EXCERPT} characters. */
  static String excerpt(String message) {
    String first = message.strip();
    int newline = first.indexOf('\n');
    if (newline >= 0) {
      first = first.substring(0, newline);
    }
    int raised = first.indexOf("Exception raised from");
    if (raised > 0) {
      first = first.substring(0, raised);
    }
    first = first.strip();
    if (first.length() > EXCERPT) {
      int sentenceEnd = first.lastIndexOf(". ", EXCERPT);
      first = sentenceEnd > EXCERPT / 3 ? first.substring(0, sentenceEnd + 1) : first.substring(0, EXCERPT) + "...";
    }
    return first.isEmpty() ? "no message" : first;
  }
}
