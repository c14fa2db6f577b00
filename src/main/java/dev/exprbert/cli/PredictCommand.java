package dev.exprbert.cli;

import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.NumberedLine;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReader;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.Utf8LineReader;
import dev.exprbert.data.Window;
import dev.exprbert.infer.Aggregation;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TaggerOptions;
import dev.exprbert.hub.ModelResolver;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert predict --model DIR [--input FILE]}: tags a file (or standard input) and prints CoNLL
 * ({@code word<TAB>tag}, a blank line after each sentence), JSON Lines with spans, or span JSON Lines
 * ({@link PredictionWriter}). Input streams through ({@link ChunkedTagging}): {@code --chunk-size} sentences
 * (default {@value #DEFAULT_CHUNK}) are read, tagged and written at a time and nothing is kept of a chunk once it is
 * written, so a file of any size runs in bounded memory (benchmarks/predict-memory measures it); the output is the
 * same whatever the chunk size. A malformed line stops the run with its file and line, after the output of every
 * sentence before it.
 *
 * <p>Input formats: {@code words} (default) one pre-split sentence per line; {@code text} one raw text per
 * line, split into words by the model's tokenizer with character offsets; {@code conll} and
 * {@code jsonl} dataset files (tags, if present, are ignored).
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Tag sentences or raw text; print CoNLL or JSON Lines with spans.")
final class PredictCommand implements Callable<Integer> {
  /** Sentences tagged per round trip: big enough to fill batches, small enough to stream. */
  static final int DEFAULT_CHUNK = 256;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory, or a hub name org/name[@revision].")
  Path model;

  @Option(names = "--input", description = "Input file (default: standard input).")
  Path input;

  @Option(names = "--input-format", defaultValue = "words",
      description = "words (pre-split, one sentence per line), text (raw text per line), conll or jsonl"
          + " (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(names = "--output-format", defaultValue = "conll",
      description = "conll, jsonl (words, offsets, tags, spans with scores) or spans (span JSON Lines: text and"
          + " spans with code-point offsets, as train and convert-data read) (default: ${DEFAULT-VALUE}).")
  String outputFormat;

  @Option(names = "--aggregation", defaultValue = "first",
      description = "none, simple, first, average or max, as Hugging Face's pipeline (default: ${DEFAULT-VALUE}).")
  String aggregation;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--attention",
      description = "eager, sdpa or fused (default: the fastest the model's family supports: fused, packed batches).")
  String attention;

  @Option(names = "--batch-size", defaultValue = "32", description = "Windows per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--max-seq-length", description = "Sub-tokens per window (default: the smaller of max_position_embeddings and the tokenizer's model_max_length).")
  Integer maxSeqLength;

  @Option(names = "--chunk-size", defaultValue = "" + DEFAULT_CHUNK,
      description = "Sentences read, tagged and written at a time; memory grows with it, not with the input"
          + " (default: ${DEFAULT-VALUE}).")
  int chunkSize;

  @Option(names = "--stride", description = "Sub-tokens of overlap between windows of long sentences"
      + " (default: " + Window.DEFAULT_STRIDE + ", as in training and evaluate).")
  Integer stride;

  private enum InputFormat { WORDS, TEXT, CONLL, JSONL }

  @CommandLine.Mixin
  ThreadsOption threads = new ThreadsOption();

  @Override
  public Integer call() throws Exception {
    threads.apply();
    InputFormat format;
    PredictionWriter writer;
    TaggerOptions options;
    try {
      format = parseInputFormat(inputFormat);
      writer = PredictionWriter.parse(outputFormat);
      options = new TaggerOptions(Aggregation.parse(aggregation), batchSize, maxSeqLength, stride, null);
      if (chunkSize < 1) {
        throw new IllegalArgumentException("--chunk-size must be >= 1, got " + chunkSize);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage()); // a usage error: exit 2
    }
    Placement placement = DeviceOption.float32(spec, device);
    if (input != null && !Files.isRegularFile(input)) {
      throw new IllegalArgumentException("--input " + input + (Files.isDirectory(input) ? " is a folder; expected a file"
          + " of sentences" : ": no such file"));
    }
    // buffered, flushed once per chunk: a flush per printed line would be a write per word of CoNLL output
    PrintWriter out = new PrintWriter(new BufferedWriter(spec.commandLine().getOut(), 1 << 16), false);
    try (TokenClassifier classifier = TokenClassifier.load(ModelResolver.resolve(model.toString()), placement, attention)) {
      writer.checkLabels(classifier.config().labels());
      Tagger tagger = new Tagger(classifier, options);
      if (format == InputFormat.TEXT) {
        tagTextLines(tagger, writer, out);
      } else {
        tagSentences(tagger, format, writer, out);
      }
    }
    out.flush();
    return 0;
  }

  private static InputFormat parseInputFormat(String name) {
    try {
      return InputFormat.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown --input-format \"" + name + "\": expected words, text, conll or jsonl");
    }
  }

  private void tagTextLines(Tagger tagger, PredictionWriter writer, PrintWriter out) throws IOException {
    try (Utf8LineReader lines = new Utf8LineReader(openInput(), sourceName())) {
      Iterator<String> texts = new Iterator<>() {
        private String pending;

        @Override
        public boolean hasNext() {
          for (NumberedLine line; pending == null && (line = lines.readLine()) != null; ) {
            pending = line.text().isBlank() ? null : line.text();
          }
          return pending != null;
        }

        @Override
        public String next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          String text = pending;
          pending = null;
          return text;
        }
      };
      ChunkedTagging.run(texts, chunkSize, tagger::tagTexts, tagged -> print(tagged, writer, out));
      if (lines.lineNumber() == 0) {
        throw new IllegalArgumentException(sourceName() + " is empty; expected one text per line");
      }
    }
  }

  private void tagSentences(Tagger tagger, InputFormat format, PredictionWriter writer, PrintWriter out)
      throws IOException {
    DatasetFormat datasetFormat = switch (format) {
      case WORDS -> DatasetFormat.TEXT; // the readers' TEXT is one pre-split sentence per line
      case CONLL -> DatasetFormat.CONLL;
      case JSONL -> DatasetFormat.JSONL;
      case TEXT -> throw new IllegalStateException("raw text goes through tagTextLines");
    };
    ReaderOptions options = ReaderOptions.builder().format(datasetFormat).tagsRequired(false).build();
    try (SentenceReader reader = SentenceReaders.open(openInput(), sourceName(), datasetFormat, options)) {
      Iterator<List<String>> sentences = reader.stream().map(LabeledSentence::words).iterator();
      ChunkedTagging.run(sentences, chunkSize, tagger::tagWords, tagged -> print(tagged, writer, out));
    }
  }

  private static void print(List<TaggedSentence> tagged, PredictionWriter writer, PrintWriter out) {
    for (TaggedSentence sentence : tagged) {
      writer.write(sentence, out);
    }
    out.flush();
  }

  private InputStream openInput() throws IOException {
    return input != null ? Files.newInputStream(input) : System.in;
  }

  private String sourceName() {
    return input != null ? input.toString() : "<stdin>";
  }
}
