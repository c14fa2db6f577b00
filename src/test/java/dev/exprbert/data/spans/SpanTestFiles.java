package dev.exprbert.data.spans;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReader;
import dev.exprbert.data.SentenceReaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a file, reads it through {@link SentenceReaders} (format sniffed), keeps the report lines. */
final class SpanTestFiles {
  final List<AlignmentIssue> issues = new ArrayList<>();
  AlignmentReport report;

  static Path write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  SpanOptions options() {
    return SpanOptions.DEFAULTS.withIssues(issues::add);
  }

  List<LabeledSentence> read(Path file) {
    return read(file, options());
  }

  List<LabeledSentence> read(Path file, SpanOptions spans) {
    List<LabeledSentence> out = new ArrayList<>();
    try (SentenceReader reader = SentenceReaders.open(file, ReaderOptions.builder().spans(spans.withIssues(issues::add)).build())) {
      reader.forEachRemaining(out::add);
      report = ((SpanSentenceReader) reader).report();
    }
    return out;
  }

  List<String> issueLines() {
    List<String> out = new ArrayList<>();
    for (AlignmentIssue issue : issues) {
      out.add(issue.toString());
    }
    return out;
  }

  /** JSON string literal. */
  static String q(String s) {
    return new com.google.gson.Gson().toJson(s);
  }
}
