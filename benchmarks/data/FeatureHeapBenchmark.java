package benchmarks.data;

import dev.exprbert.data.Feature;
import dev.exprbert.data.FeatureStore;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabelSets;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap held by a training set's features: the compact {@code FeatureStore} the Trainer and Evaluator keep, against
 * the same features as objects ({@code List<Feature>}: a record, an AlignedSentence and nine arrays per window, what
 * they kept before), and, for scale, the {@code List<LabeledSentence>} the sentences were read into.
 *
 * <p>Data: OpeNER_en's expression training file (../shared/data/semeval22-opener_en/expression/train.conll, 1,744
 * sentences) repeated to {@code N} sentences (default 10,000), featurized as the Trainer does with all-MiniLM-L6-v2's
 * WordPiece tokenizer (window 512 sub-tokens = MiniLM's limit, stride 32, labels on first sub-tokens). Heap is the
 * used heap after repeated full collections ({@code System.gc()}); run with {@code -XX:+UseSerialGC} so that a
 * collection is a full one.
 *
 * <p>Usage: {@code FeatureHeapBenchmark [N]}.
 */
public final class FeatureHeapBenchmark {
  private FeatureHeapBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path opener = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "train.conll");
    Path tok = Files.createTempDirectory("exprbert-bench-tok");
    try (InputStream in = FeatureHeapBenchmark.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
      Files.copy(in, tok.resolve("tokenizer.json"));
    }
    try (ModelTokenizer tokenizer = TokenizerLoader.load(tok)) {
      List<LabeledSentence> file = SentenceReaders.readAll(opener, ReaderOptions.DEFAULTS);
      LabelMap labels = LabelMap.ofLabels(LabelSets.collect(file));
      Featurizer featurizer = new Featurizer(tokenizer, labels, false, 512, 32);
      file = null;

      long empty = usedHeap();
      List<LabeledSentence> sentences = new ArrayList<>(n);
      for (LabeledSentence s : SentenceReaders.readAll(opener, ReaderOptions.DEFAULTS)) {
        sentences.add(s);
      }
      while (sentences.size() < n) {
        // re-read rather than share: each copy holds its own strings, as a file of n sentences would
        for (LabeledSentence s : SentenceReaders.readAll(opener, ReaderOptions.DEFAULTS)) {
          if (sentences.size() < n) {
            sentences.add(s);
          }
        }
      }
      long withSentences = usedHeap();
      FeatureStore store = featurizer.featurize(sentences, true).features();
      int count = sentences.size();
      sentences = null;
      long storeAlone = usedHeap();
      long storeBytes = store.heapBytes();
      long tokens = store.tokenCount();
      int features = store.size();
      List<Feature> objects = new ArrayList<>(store);
      store = null;
      long objectsAlone = usedHeap();
      int objectCount = objects.size();
      objects = null;
      // what stays when all three are gone (loaded classes' statics, the tokenizer): the zero of each figure
      long base = Math.min(empty, usedHeap());
      long sentenceHeap = withSentences - base;
      long storeHeap = storeAlone - base;
      long objectHeap = objectsAlone - base;
      double per10k = 10_000.0 / n;
      System.out.printf("%d sentences, %d features, %d sub-tokens (max_seq_length 512, stride 32, MiniLM WordPiece)%n",
          n, features, tokens);
      System.out.printf("sentences (List<LabeledSentence>): %8.2f MiB per 10k sentences%n",
          mib(sentenceHeap) * per10k);
      System.out.printf("features as objects (List<Feature>): %8.2f MiB per 10k sentences, %.1f bytes per sub-token%n",
          mib(objectHeap) * per10k, (double) objectHeap / tokens);
      System.out.printf("features in the FeatureStore:        %8.2f MiB per 10k sentences, %.1f bytes per sub-token"
          + " (its arrays: %.2f MiB)%n", mib(storeHeap) * per10k, (double) storeHeap / tokens, mib(storeBytes) * per10k);
      System.out.printf("store / objects: %.3f%n", (double) storeHeap / objectHeap);
      if (objectCount != features || count != n) {
        throw new IllegalStateException("lost data");
      }
    }
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static long usedHeap() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
