package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.exprbert.io.TorchSaveFiles.View;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.ModelConfigLimits;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TestTokenizers;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds mutated model files to the loaders and asserts that each one either loads completely (every
 * parameter the strict loader returns equals a tensor of the file: never a random weight) or fails
 * with a clear exception: an {@link IOException} or {@link IllegalArgumentException} whose message
 * names the file and is not a LibTorch trace. Any other outcome (a NullPointerException, an
 * ArithmeticException, a native error, and of course a JVM crash, which ends the test fork) fails the
 * test; the offending input is kept under {@code target/fuzz-failures/} with its seed and iteration.
 *
 * <p>Budget: {@code -Dexprbert.fuzz.iterations} per loader (default 1500) and at most
 * {@code -Dexprbert.fuzz.seconds} per loader (default 12), so the four loaders stay under a minute in
 * CI on two cores; {@code -Dexprbert.fuzz.seed} changes the sequence. A longer run:
 * {@code benchmarks/fuzz/loader_fuzz.sh}. Each iteration derives its own mutator from (seed, loader,
 * iteration), so any reported iteration is reproduced alone.
 */
class LoaderFuzzTest {
  private static final long SEED = Long.getLong("exprbert.fuzz.seed", 20_261_127L);
  private static final int ITERATIONS = Integer.getInteger("exprbert.fuzz.iterations", 1500);
  private static final long SECONDS = Long.getLong("exprbert.fuzz.seconds", 12L);
  private static final Path FAILURES = Path.of("target", "fuzz-failures");

  @TempDir Path tmp;

  private static BertConfig config;
  private static LinkedHashMap<String, Tensor> reference;
  private static byte[] safetensorsSeed;
  private static byte[] configSeed;

  @BeforeAll
  static void seeds() throws IOException {
    Natives.init();
    config = TinyModelDirectory.config();
    safetensorsSeed = Files.readAllBytes(TinyModelDirectory.FIXTURE.resolve("model.safetensors"));
    configSeed = Files.readAllBytes(TinyModelDirectory.FIXTURE.resolve("config.json"));
    reference = Safetensors.read(TinyModelDirectory.FIXTURE.resolve("model.safetensors"));
  }

  @AfterAll
  static void free() {
    reference.values().forEach(Tensor::close);
  }

  /** What one iteration did: loaded, or refused with a clear error. */
  private enum Outcome { LOADED, REFUSED }

  @FunctionalInterface
  private interface Case {
    /** Writes the mutated input under {@code dir} and runs the loader; returns how it ended. */
    Outcome run(SeededMutator mutator, Path dir) throws Exception;
  }

  @Test
  void safetensors() throws Exception {
    fuzz("safetensors", (m, dir) -> {
      Path file = dir.resolve(ModelDirectory.SAFETENSORS);
      Files.write(file, mutateSafetensors(m));
      return loadStrictly(Safetensors.read(file), true, config, file);
    });
  }

  @Test
  void pytorchBin() throws Exception {
    Map<String, float[]> storages = new LinkedHashMap<>();
    List<View> views = new ArrayList<>();
    int key = 0;
    for (Map.Entry<String, Tensor> e : reference.entrySet()) {
      if (e.getKey().equals("classifier.bias")) {
        continue; // shares the classifier weight's storage below, at an offset
      }
      float[] values = Tensors.toFloatArray(e.getValue());
      long[] shape = Tensors.shape(e.getValue());
      if (e.getKey().equals("classifier.weight")) {
        float[] bias = Tensors.toFloatArray(reference.get("classifier.bias"));
        float[] both = java.util.Arrays.copyOf(values, values.length + bias.length);
        System.arraycopy(bias, 0, both, values.length, bias.length);
        views.add(new View("classifier.bias", Integer.toString(key), values.length, new long[] {bias.length}, new long[] {1}));
        values = both;
      }
      storages.put(Integer.toString(key), values);
      views.add(new View(e.getKey(), Integer.toString(key), 0, shape, contiguousStrides(shape)));
      key++;
    }
    Path seedFile = tmp.resolve("seed.bin");
    TorchSaveFiles.write(seedFile, true, views, storages);
    byte[] seedZip = Files.readAllBytes(seedFile);
    Map<String, Long> numels = new LinkedHashMap<>();
    Map<String, byte[]> records = new LinkedHashMap<>();
    storages.forEach((k, v) -> {
      numels.put(k, (long) v.length);
      ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float f : v) {
        b.putFloat(f);
      }
      records.put(k, b.array());
    });
    byte[] pickle = TorchSaveFiles.pickle(true, views, numels, "FloatStorage");
    fuzz("pytorch_model.bin", (m, dir) -> {
      Path file = dir.resolve(ModelDirectory.PYTORCH_BIN);
      switch (m.nextInt(5)) {
        case 0, 1, 2 -> TorchSaveFiles.writeZip(file, m.mutateBytes(pickle), records);
        case 3 -> {
          Map<String, byte[]> changed = new LinkedHashMap<>(records);
          String victim = Integer.toString(m.nextInt(records.size()));
          changed.put(victim, m.mutateBytes(records.get(victim)));
          TorchSaveFiles.writeZip(file, m.nextInt(2) == 0 ? pickle : m.mutateBytes(pickle), changed);
        }
        default -> Files.write(file, m.mutateBytes(seedZip));
      }
      return loadStrictly(PytorchBin.read(file), true, config, file);
    });
  }

  @Test
  void configJson() throws Exception {
    String seedText = new String(configSeed, StandardCharsets.UTF_8);
    fuzz("config.json", (m, dir) -> {
      Path file = dir.resolve(ModelDirectory.CONFIG);
      Files.write(file, m.nextInt(5) == 0 ? m.mutateBytes(configSeed)
          : m.mutateJson(seedText).getBytes(StandardCharsets.UTF_8));
      BertConfig mutated = BertConfig.read(file);
      long parameters = ModelConfigLimits.parameterCount(mutated);
      long training = ModelConfigLimits.estimatedBytes(mutated, ModelConfigLimits.Purpose.TRAINING);
      assertTrue(parameters > 0 && training > 0, "sizes of an accepted config must be positive: " + mutated);
      return loadStrictly(reference, false, mutated, file);
    });
  }

  @Test
  void tokenizerJson() throws Exception {
    Path seedDir = TestTokenizers.casedTokenizerJson(tmp.resolve("seed"));
    byte[] seed = Files.readAllBytes(seedDir.resolve("tokenizer.json"));
    String seedText = new String(seed, StandardCharsets.UTF_8);
    BertConfig cased = config.toBuilder().vocabSize(TestTokenizers.CASED_VOCAB.size()).build();
    fuzz("tokenizer.json", (m, dir) -> {
      Files.write(dir.resolve("tokenizer.json"), m.nextInt(5) == 0 ? m.mutateBytes(seed)
          : m.mutateJson(seedText).getBytes(StandardCharsets.UTF_8));
      try (ModelTokenizer tokenizer = TokenizerLoader.load(dir)) {
        tokenizer.encodeWords(List.of("Hello", "München", "東京", "unbelievably", "xyzzy", ""));
        ModelDirectory.requireTokenizerFits(cased, tokenizer);
      }
      return Outcome.LOADED;
    });
  }

  private void fuzz(String loader, Case c) throws Exception {
    long start = System.nanoTime();
    long deadline = start + SECONDS * 1_000_000_000L;
    int loaded = 0;
    int refused = 0;
    int i = 0;
    List<String> failures = new ArrayList<>();
    for (; i < ITERATIONS && System.nanoTime() < deadline; i++) {
      long iterationSeed = SEED * 1_000_003L + loader.hashCode() * 7919L + i;
      Path dir = Files.createDirectories(tmp.resolve(loader + "-" + i));
      try {
        if (c.run(new SeededMutator(iterationSeed), dir) == Outcome.LOADED) {
          loaded++;
        } else {
          refused++;
        }
      } catch (IOException | IllegalArgumentException e) {
        String problem = unclear(e, dir);
        if (problem == null) {
          refused++;
        } else {
          failures.add(keep(loader, i, dir, problem + ": " + e));
        }
      } catch (Throwable t) { // the point of the test: anything else is a finding
        failures.add(keep(loader, i, dir, t.toString()));
      }
      deleteRecursively(dir);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(java.util.Locale.ROOT, "fuzz %s: %d iterations (%d loaded, %d refused clearly, %d findings) in %.1f s,"
        + " seed %d%n", loader, i, loaded, refused, failures.size(), seconds, SEED);
    assertTrue(i > 0, "no iteration ran");
    if (!failures.isEmpty()) {
      fail(failures.size() + " " + loader + " input(s) ended in neither a load nor a clear error:\n  "
          + String.join("\n  ", failures.subList(0, Math.min(10, failures.size()))));
    }
  }

  /** Null when the exception is a clear error about this input; otherwise what is wrong with it. */
  private static String unclear(Exception e, Path dir) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "no message";
    }
    if (e instanceof NumberFormatException) {
      return "a raw NumberFormatException";
    }
    String first = message.lines().findFirst().orElse("");
    if (message.contains("Exception raised from") || message.contains("\tat ") || first.length() > 1500) {
      return "a native trace or an overlong message";
    }
    if (!message.contains(dir.toString())) {
      return "the message does not name the file";
    }
    return null;
  }

  /**
   * Strict load of {@code checkpoint} (closed here when {@code owned}); on success every parameter must equal a tensor
   * of the file, so a weight that was silently initialised fails the test.
   */
  private static Outcome loadStrictly(Map<String, Tensor> checkpoint, boolean owned, BertConfig model, Path file) {
    try {
      CheckpointLoader.Loaded loaded = CheckpointLoader.load(model, checkpoint, Placement.CPU_FLOAT32, 0, false, file.toString());
      try (ModelWeights weights = loaded.weights()) {
        assertTrue(loaded.report().isComplete(), "strict load reported " + loaded.report());
        for (Map.Entry<String, Tensor> w : weights.asMap().entrySet()) {
          Tensor source = sourceOf(checkpoint, w.getKey());
          if (source == null) {
            fail(file + ": parameter '" + w.getKey() + "' was loaded but the file has no tensor for it");
          }
          try (Tensor expected = Tensors.copyAs(source, org.bytedeco.pytorch.global.torch.ScalarType.Float)) {
            if (!java.util.Arrays.equals(bits(expected), bits(w.getValue()))) {
              fail(file + ": parameter '" + w.getKey() + "' differs from the file's tensor");
            }
          }
        }
      }
      return Outcome.LOADED;
    } finally {
      if (owned) {
        checkpoint.values().forEach(Tensor::close);
      }
    }
  }

  /** The file's tensor for a parameter, under the names loading accepts (base-model keys, gamma/beta). */
  private static Tensor sourceOf(Map<String, Tensor> checkpoint, String parameter) {
    List<String> names = new ArrayList<>(List.of(parameter));
    if (parameter.startsWith("bert.")) {
      names.add(parameter.substring("bert.".length()));
    }
    for (String n : List.copyOf(names)) {
      names.add(n.replaceAll("\\.weight$", ".gamma"));
      names.add(n.replaceAll("\\.bias$", ".beta"));
    }
    for (String n : names) {
      if (checkpoint.containsKey(n)) {
        return checkpoint.get(n);
      }
    }
    return null;
  }

  private static int[] bits(Tensor t) {
    float[] values = Tensors.toFloatArray(t);
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  /** Mutates the JSON header (re-packed with a correct length), the raw header bytes, or anything. */
  private static byte[] mutateSafetensors(SeededMutator m) {
    ByteBuffer in = ByteBuffer.wrap(safetensorsSeed).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = (int) in.getLong(0);
    switch (m.nextInt(4)) {
      case 0, 1 -> {
        String header = new String(safetensorsSeed, 8, headerLength, StandardCharsets.UTF_8);
        byte[] mutated = m.mutateJson(header).getBytes(StandardCharsets.UTF_8);
        byte[] data = java.util.Arrays.copyOfRange(safetensorsSeed, 8 + headerLength, safetensorsSeed.length);
        ByteBuffer out = ByteBuffer.allocate(8 + mutated.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return out.putLong(mutated.length).put(mutated).put(data).array();
      }
      case 2 -> {
        byte[] head = m.mutateBytes(java.util.Arrays.copyOf(safetensorsSeed, 8 + headerLength));
        byte[] out = java.util.Arrays.copyOf(head, head.length + safetensorsSeed.length - 8 - headerLength);
        System.arraycopy(safetensorsSeed, 8 + headerLength, out, head.length, safetensorsSeed.length - 8 - headerLength);
        return out;
      }
      default -> {
        return m.mutateBytes(safetensorsSeed);
      }
    }
  }

  private static long[] contiguousStrides(long[] shape) {
    long[] strides = new long[shape.length];
    long s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= shape[i];
    }
    return strides;
  }

  private static String keep(String loader, int iteration, Path dir, String problem) {
    try {
      Path target = Files.createDirectories(FAILURES.resolve(loader + "-seed" + SEED + "-iteration" + iteration));
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (Files.isRegularFile(f)) {
            Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return "iteration " + iteration + " (input kept in " + target + "): " + problem;
    } catch (IOException e) {
      return "iteration " + iteration + ": " + problem + " (input not kept: " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
