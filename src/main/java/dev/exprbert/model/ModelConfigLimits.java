package dev.exprbert.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Size limits of an {@link EncoderConfig} of any family, checked before any tensor is allocated, so that a config.json
 * with a absurd size is one clear error instead of a native allocation failure or a process that grows
 * until the machine swaps.
 *
 * <p>Two layers:
 * <ol>
 *   <li>Hard caps ({@link #cap}, applied by every family's config when it is built, under the family's own
 *       config.json key names): far above
 *       every published BERT (bert-large: hidden 1024, 24 layers, 512 positions, vocabulary 30522;
 *       multilingual vocabularies stay under 300k) and low enough that every size computed from them
 *       fits a 64-bit integer: hidden_size <= 65,536, num_hidden_layers <= 1,024,
 *       max_position_embeddings <= 1,048,576, vocab_size and type_vocab_size <= 10,000,000,
 *       intermediate_size <= 1,048,576, num_labels <= 100,000.</li>
 *   <li>A memory estimate ({@link #requireFitsInMemory}) compared with what the machine can give the
 *       process. It is a lower bound, so the check refuses only what cannot fit: float32 weights (four
 *       copies when training: weights, gradients and AdamW's two moments) plus the activations of one
 *       forward pass over one sequence of max_position_embeddings tokens with memory-efficient
 *       attention (all layers' saved activations when training). Batches add to that, so a model that
 *       passes may still run out of memory with a large batch.</li>
 * </ol>
 *
 * <p>Available memory: LibTorch allocates outside the Java heap, so -Xmx says nothing about it. We take
 * the smallest of the physical memory the JVM reports (container-aware), the cgroup memory limit of
 * this process (v2 {@code memory.max}, v1 {@code memory.limit_in_bytes}) and {@code MemTotal}; swap is
 * not counted. The system property {@code exprbert.memory.limit} (bytes) overrides the detection, for a
 * machine where it is wrong.
 */
public final class ModelConfigLimits {
  public static final int MAX_HIDDEN_SIZE = 65_536;
  public static final int MAX_LAYERS = 1_024;
  public static final int MAX_POSITIONS = 1_048_576;
  public static final int MAX_VOCAB = 10_000_000;
  public static final int MAX_INTERMEDIATE_SIZE = 1_048_576;
  public static final int MAX_LABELS = 100_000;
  /** Overrides the detected memory limit (bytes). */
  public static final String MEMORY_LIMIT_PROPERTY = "exprbert.memory.limit";

  private static final long FLOAT_BYTES = 4;

  /** What the weights are loaded for, which sets how much of the model lives in host memory. */
  public enum Purpose {
    /** Tagging or evaluating on the CPU: the weights and one layer's activations. */
    INFERENCE(1),
    /** Training on the CPU: weights, gradients, two AdamW moments and every layer's activations. */
    TRAINING(4),
    /** A model on its way to a GPU: the float32 weights pass through host memory once (GPU memory is not checked). */
    HOST_STAGING(1);

    private final int weightCopies;

    Purpose(int weightCopies) {
      this.weightCopies = weightCopies;
    }
  }

  private ModelConfigLimits() {}

  /** One hard cap; throws {@link ModelConfigException} naming the config.json field. */
  public static void cap(String field, long value, long max) {
    if (value > max) {
      throw new ModelConfigException(String.format(Locale.ROOT, "%s: %,d is above the limit of %,d (no published encoder comes"
          + " near it; this guards against allocating an absurd model)", field, value, max));
    }
  }

  /**
   * Trainable parameters of the token classifier, counted over the family's parameter list (shapes only, nothing is
   * allocated; the caps keep the sum far below 2^63).
   */
  public static long parameterCount(EncoderConfig c) {
    long n = 0;
    for (ParameterSpec spec : ParameterSpec.of(c)) {
      n = sum(n, spec.numel());
    }
    return n;
  }

  /** Bytes of the float32 weights. */
  public static long weightBytes(EncoderConfig c) {
    return mul(parameterCount(c), FLOAT_BYTES);
  }

  /**
   * Bytes of float32 activations for one forward pass over one max-length sequence with attention whose
   * memory is linear in the length (sdpa, fused): per layer about ten hidden-sized vectors per token
   * (input, query, key, value, context, projections, LayerNorm) and two intermediate-sized ones (the
   * dense output and its activation). Inference keeps one layer's at a time; training keeps every layer's
   * for the backward pass.
   */
  public static long activationBytes(EncoderConfig c, Purpose purpose) {
    long perToken = sum(mul(10, c.hiddenSize()), mul(2, c.intermediateSize()));
    long perLayer = mul(mul(perToken, c.maxPositionEmbeddings()), FLOAT_BYTES);
    return switch (purpose) {
      case INFERENCE -> perLayer;
      case TRAINING -> mul(perLayer, c.numHiddenLayers());
      case HOST_STAGING -> 0;
    };
  }

  /** The lower bound of memory a model needs for {@code purpose} (see the class comment). */
  public static long estimatedBytes(EncoderConfig c, Purpose purpose) {
    return sum(mul(weightBytes(c), purpose.weightCopies), activationBytes(c, purpose));
  }

  /**
   * Throws when the estimate exceeds the memory this process can have.
   *
   * @param source names the config in the message (a config.json path, or a model directory)
   */
  public static void requireFitsInMemory(EncoderConfig c, Purpose purpose, String source) {
    availableMemory().ifPresent(limit -> requireFitsInMemory(c, purpose, source, limit));
  }

  static void requireFitsInMemory(EncoderConfig c, Purpose purpose, String source, long availableBytes) {
    long needed = estimatedBytes(c, purpose);
    if (needed > availableBytes) {
      throw new ModelConfigException(String.format(Locale.ROOT, "%s: a %s of %,d parameters (hidden size %d,"
          + " %d layers, vocab_size %d, max_position_embeddings %d) needs at least %s for %s, but this"
          + " machine gives the process %s (set -D%s=BYTES if that is wrong)", source,
          c.family().tokenClassificationClass(), parameterCount(c),
          c.hiddenSize(), c.numHiddenLayers(), c.vocabSize(), c.maxPositionEmbeddings(), humanBytes(needed),
          purpose.name().toLowerCase(Locale.ROOT), humanBytes(availableBytes), MEMORY_LIMIT_PROPERTY));
    }
  }

  /** The memory limit described in the class comment, or empty when nothing can be read. */
  public static OptionalLong availableMemory() {
    String override = System.getProperty(MEMORY_LIMIT_PROPERTY);
    if (override != null) {
      try {
        return OptionalLong.of(Long.parseLong(override.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + MEMORY_LIMIT_PROPERTY + "=" + override + ": expected a byte count");
      }
    }
    long limit = Long.MAX_VALUE;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long total = os.getTotalMemorySize();
      if (total > 0) {
        limit = total;
      }
    }
    limit = Math.min(limit, cgroupLimit());
    limit = Math.min(limit, memTotal());
    return limit == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(limit);
  }

  /** The tightest cgroup memory limit on the path of this process, or Long.MAX_VALUE. */
  private static long cgroupLimit() {
    long limit = Long.MAX_VALUE;
    for (String line : readLines(Path.of("/proc/self/cgroup"))) {
      String[] parts = line.split(":", 3);
      if (parts.length != 3) {
        continue;
      }
      String controllers = parts[1];
      String relative = parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
      if (controllers.isEmpty()) { // cgroup v2: one unified hierarchy; limits apply from every ancestor
        for (Path dir = Path.of("/sys/fs/cgroup").resolve(relative); dir != null && dir.startsWith("/sys/fs/cgroup");
            dir = dir.getParent()) {
          limit = Math.min(limit, number(dir.resolve("memory.max")));
        }
      } else if (List.of(controllers.split(",")).contains("memory")) {
        limit = Math.min(limit, number(Path.of("/sys/fs/cgroup/memory").resolve(relative).resolve("memory.limit_in_bytes")));
        limit = Math.min(limit, number(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes")));
      }
    }
    return limit;
  }

  private static long memTotal() {
    for (String line : readLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.trim().split("\\s+");
        try {
          return Math.multiplyExact(Long.parseLong(parts[1]), 1024L); // the value is in kB
        } catch (RuntimeException e) {
          return Long.MAX_VALUE;
        }
      }
    }
    return Long.MAX_VALUE;
  }

  /** A file holding one number ("max" or unreadable means no limit). */
  private static long number(Path file) {
    List<String> lines = readLines(file);
    if (lines.isEmpty()) {
      return Long.MAX_VALUE;
    }
    try {
      long v = Long.parseLong(lines.get(0).trim());
      return v > 0 ? v : Long.MAX_VALUE;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** 1.5 GiB, 820.0 MiB, 12 bytes. */
  public static String humanBytes(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static long mul(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // saturate: compared with memory, "more than any machine has" is all that matters
    }
  }

  private static long sum(long... values) {
    long s = 0;
    for (long v : values) {
      s = s > Long.MAX_VALUE - v ? Long.MAX_VALUE : s + v;
    }
    return s;
  }
}
