package dev.exprbert.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately tiny reader of 2-column CoNLL (token TAB tag, blank line between sentences) for
 * tests that need real sentences; the project's reader lives in data/.
 */
public final class ConllSample {
  /** One sentence: words and their tags, same length. */
  public record Sentence(List<String> words, List<String> tags) {}

  private ConllSample() {}

  /** The shared datasets folder, relative to the project root (Surefire's working directory). */
  public static Path sharedData(String relative) {
    return Path.of("..", "shared", "data").resolve(relative);
  }

  /**
   * Copies the first {@code sentences} sentences of the opener_en expression split {@code split} (train, dev, test)
   * into {@code dir}, as {@code <split>.conll}, for commands that read files.
   */
  public static Path openerSlice(String split, int sentences, Path dir) throws IOException {
    Path source = sharedData("semeval22-opener_en").resolve("expression").resolve(split + ".conll");
    List<String> lines = new ArrayList<>();
    int seen = 0;
    try (BufferedReader reader = Files.newBufferedReader(source, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null && seen < sentences) {
        lines.add(line);
        if (line.isBlank()) {
          seen++;
        }
      }
    }
    return Files.write(dir.resolve(split + ".conll"), lines, StandardCharsets.UTF_8);
  }

  /** Reads up to {@code limit} sentences (all when limit is negative). */
  public static List<Sentence> read(Path file, int limit) throws IOException {
    List<Sentence> sentences = new ArrayList<>();
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null && (limit < 0 || sentences.size() < limit)) {
        lineNumber++;
        if (line.isEmpty()) {
          if (!words.isEmpty()) {
            sentences.add(new Sentence(List.copyOf(words), List.copyOf(tags)));
            words.clear();
            tags.clear();
          }
          continue;
        }
        int tab = line.lastIndexOf('\t');
        if (tab < 0) {
          throw new IOException(file + ":" + lineNumber + ": expected token TAB tag, found " + line);
        }
        words.add(line.substring(0, tab));
        tags.add(line.substring(tab + 1));
      }
    }
    if (!words.isEmpty() && (limit < 0 || sentences.size() < limit)) {
      sentences.add(new Sentence(List.copyOf(words), List.copyOf(tags)));
    }
    return sentences;
  }
}
