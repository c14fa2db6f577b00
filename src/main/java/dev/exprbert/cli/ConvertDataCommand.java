package dev.exprbert.cli;

import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReader;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.SentenceWriters;
import dev.exprbert.data.spans.AlignedDocuments;
import dev.exprbert.data.spans.AlignmentReport;
import dev.exprbert.data.spans.LabelScheme;
import dev.exprbert.data.spans.SpanDocumentReaders;
import dev.exprbert.data.spans.SpanOptions;
import dev.exprbert.data.spans.SpanRecords;
import dev.exprbert.data.spans.SpanSentenceReader;
import dev.exprbert.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exprbert convert-data --in F --out F --to conll|jsonl|spans}: between character-offset
 * span files (doccano, spaCy/Prodigy, Label Studio, brat) and word/tag files (CoNLL, JSON Lines).
 * Every span that does not align with words is reported on stderr as it is met, then a summary.
 */
@Command(name = "convert-data", mixinStandardHelpOptions = true,
    description = "Convert datasets: character-offset spans (doccano, spaCy, Prodigy, Label Studio, brat) to "
        + "CoNLL or token JSON Lines, and words + tags back to span JSON Lines.")
final class ConvertDataCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--in", required = true, description = "Input file (a brat .ann/.txt or folder for brat).")
  Path in;

  @Option(names = "--out", required = true, description = "Output file, written atomically (replaced if it exists).")
  Path out;

  @Option(names = "--to", required = true,
      description = "conll (word<TAB>tag), jsonl (tokens + ner_tags) or spans (text + spans, offsets in code points).")
  String to;

  @Option(names = "--from", description = "Input format: conll, jsonl, spans (doccano/spacy/prodigy), label-studio "
      + "or brat; default: from the file (extension, first record; a folder is brat).")
  String from;

  @CommandLine.Mixin
  SpanFlags spanFlags;

  @Override
  public Integer call() throws Exception {
    Target target = Target.fromName(to);
    PrintWriter err = spec.commandLine().getErr();
    SpanOptions spans = spanFlags.options(issue -> err.println(issue));
    ReaderOptions options = ReaderOptions.builder()
        .format(from == null ? null : DatasetFormat.fromName(from)).spans(spans).build();
    if (!Files.exists(in)) {
      throw new IllegalArgumentException("--in " + in + " does not exist");
    }
    if (Files.exists(out) && Files.isSameFile(in, out)) {
      throw new IllegalArgumentException("--out " + out + " is the input file; write to another file");
    }
    DatasetFormat format = SentenceReaders.format(in, options);
    if (format == DatasetFormat.TEXT) {
      throw new IllegalArgumentException("--from text has no tags to convert; expected conll, jsonl, spans, "
          + "label-studio or brat");
    }
    long[] count = new long[1];
    AlignmentReport[] report = new AlignmentReport[1];
    AtomicFiles.write(out, channel -> {
      // The channel belongs to AtomicFiles: flush the writer, never close it.
      Writer writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
      if (format.hasSpans() && target == Target.SPANS) {
        try (AlignedDocuments documents = new AlignedDocuments(
            SpanDocumentReaders.open(in, format, spans, true), spans)) {
          while (documents.hasNext()) {
            writer.write(SpanRecords.fromAligned(documents.next()).toJson());
            writer.write('\n');
            count[0]++;
          }
          report[0] = documents.report();
        }
      } else {
        try (SentenceReader reader = SentenceReaders.open(in, options)) {
          while (reader.hasNext()) {
            LabeledSentence sentence = reader.next();
            if (!format.hasSpans() && spanFlags.schemeOrNull() != null) {
              sentence = sentence.withTags(retag(sentence, spans.labelScheme()));
            }
            switch (target) {
              case CONLL -> SentenceWriters.writeConll(sentence, writer);
              case JSONL -> SentenceWriters.writeJsonl(sentence, writer);
              case SPANS -> writer.write(spanRecord(sentence) + "\n");
            }
            count[0]++;
          }
          if (reader instanceof SpanSentenceReader spanReader) {
            report[0] = spanReader.report();
          }
        }
      }
      writer.flush();
    });
    if (report[0] != null) {
      err.println(report[0].summary());
    }
    spec.commandLine().getOut().printf("wrote %d %s from %s (%s) to %s (%s)%n", count[0],
        format.hasSpans() ? "documents" : "sentences", in, format.name().toLowerCase(Locale.ROOT).replace('_', '-'),
        out, target.name().toLowerCase(Locale.ROOT));
    return 0;
  }

  private static String spanRecord(LabeledSentence sentence) {
    try {
      return SpanRecords.fromWords(sentence.words(), sentence.tags()).toJson();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(sentence.location() + ": " + e.getMessage(), e);
    }
  }

  /** A token file's tags in another scheme: read leniently, written in {@code scheme}. */
  private static java.util.List<String> retag(LabeledSentence sentence, LabelScheme scheme) {
    try {
      return scheme.encode(sentence.size(), LabelScheme.decode(sentence.tags()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(sentence.location() + ": " + e.getMessage(), e);
    }
  }

  private enum Target {
    CONLL, JSONL, SPANS;

    static Target fromName(String name) {
      return switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "conll" -> CONLL;
        case "jsonl", "json" -> JSONL;
        case "spans", "span-jsonl", "span_jsonl" -> SPANS;
        default -> throw new IllegalArgumentException("unknown --to \"" + name + "\": expected conll, jsonl or spans");
      };
    }
  }
}
