package dev.exprbert.cli;

import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert predict --model DIR [--input FILE]}: reads pre-split sentences (one per line,
 * words separated by spaces; stdin by default) and prints CoNLL: one {@code word<TAB>tag} line per
 * word, a blank line after each sentence.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Tag pre-split sentences, one tag per word.")
final class PredictCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory.")
  Path model;

  @Option(names = "--input", description = "Text file, one sentence per line (default: standard input).")
  Path input;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--attention", defaultValue = "sdpa", description = "eager, sdpa or fused (default: ${DEFAULT-VALUE}).")
  String attention;

  @Option(names = "--batch-size", defaultValue = "32", description = "Sentences per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    List<List<String>> sentences = readSentences();
    PrintWriter out = spec.commandLine().getOut();
    try (TokenClassifier tagger = TokenClassifier.load(model, new Placement(device, Placement.Precision.FLOAT32), attention)) {
      List<List<String>> tags = tagger.predictTags(sentences, batchSize);
      for (int i = 0; i < sentences.size(); i++) {
        for (int w = 0; w < sentences.get(i).size(); w++) {
          out.println(sentences.get(i).get(w) + "\t" + tags.get(i).get(w));
        }
        out.println();
      }
    }
    out.flush();
    return 0;
  }

  private List<List<String>> readSentences() throws java.io.IOException {
    List<List<String>> sentences = new ArrayList<>();
    try (BufferedReader reader = input != null
        ? Files.newBufferedReader(input, StandardCharsets.UTF_8)
        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty()) {
          sentences.add(Arrays.asList(trimmed.split("\\s+")));
        }
      }
    }
    return sentences;
  }
}
