package dev.exprbert.data.spans;

import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.NumberedLine;
import dev.exprbert.data.Utf8LineReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * brat standoff: {@code NAME.txt} holds the text, {@code NAME.ann} the annotations. Give the
 * {@code .ann} file, its {@code .txt} file, or a folder (every {@code .ann} below it, in name
 * order). One document per pair, read one pair at a time.
 *
 * <ul>
 *   <li>Text-bound lines {@code T1<TAB>TYPE START END<TAB>TEXT} become spans. Offsets count
 *       characters of the {@code .txt} exactly as stored (a byte order mark and each {@code \r} of a
 *       CRLF file count), as brat's Python server reads it: code points. The TEXT column is checked
 *       against them: brat's browser UI counts UTF-16 units after an emoji (brat issue 1115), and
 *       such spans are read that way with a note.
 *   <li>Discontinuous spans {@code TYPE 0 5;10 15} are not widened over the gap (that would tag the
 *       words in between) nor refused: each fragment becomes an entity of its own (its own
 *       {@code B-}), as the project's OpeNER conversion does for discontinuous expressions, and the
 *       report notes it.
 *   <li>Relations, events, attributes, normalisations, notes and equivalences ({@code R E A M N #
 *       *}) do not mark spans and are skipped; any other line is an error.
 * </ul>
 */
public final class BratDocuments implements SpanDocumentReader {
  private final String source;
  private final SpanOptions options;
  private final List<Path> annotationFiles;
  private int nextFile;
  private long ignoredLines;

  /**
   * @throws IllegalArgumentException when {@code path} is none of the three, or a folder holds no
   *     {@code .ann} file
   */
  public BratDocuments(Path path, SpanOptions options) {
    this.source = path.toString();
    this.options = options;
    this.annotationFiles = annotationFiles(path);
  }

  private static List<Path> annotationFiles(Path path) {
    if (Files.isDirectory(path)) {
      try (Stream<Path> files = Files.walk(path)) {
        List<Path> found = files.filter(p -> p.getFileName().toString().endsWith(".ann") && Files.isRegularFile(p))
            .sorted().toList();
        if (found.isEmpty()) {
          throw new IllegalArgumentException("brat folder " + path + " holds no .ann file");
        }
        return found;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + path, e);
      }
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    if (name.endsWith(".ann")) {
      return List.of(path);
    }
    if (name.endsWith(".txt")) {
      return List.of(path.resolveSibling(name.substring(0, name.length() - 4) + ".ann"));
    }
    throw new IllegalArgumentException("brat input " + path + " must be a .ann file, its .txt file, or a folder");
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public boolean hasNext() {
    return nextFile < annotationFiles.size();
  }

  @Override
  public SpanDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more brat documents in " + source);
    }
    return read(annotationFiles.get(nextFile++));
  }

  @Override
  public List<String> notes() {
    return ignoredLines == 0 ? List.of()
        : List.of(ignoredLines + " relation/event/attribute/note lines skipped (they mark no span)");
  }

  private SpanDocument read(Path ann) {
    String annName = ann.toString();
    String base = ann.getFileName().toString();
    Path txt = ann.resolveSibling(base.substring(0, base.length() - 4) + ".txt");
    if (!Files.isRegularFile(ann)) {
      throw new IllegalArgumentException("brat annotation file " + ann + " does not exist");
    }
    if (!Files.isRegularFile(txt)) {
      throw new InputFormatException(annName, 1, "its text file " + txt.getFileName() + " beside it", "none");
    }
    String text = readText(txt);
    OffsetUnit unit = options.offsetUnit() != null ? options.offsetUnit() : OffsetUnit.CODE_POINTS;
    SpanResolver resolver = new SpanResolver(annName, text, unit);
    List<AnnotatedSpan> spans = new ArrayList<>();
    try (Utf8LineReader lines = new Utf8LineReader(Files.newInputStream(ann), annName)) {
      for (NumberedLine line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        char kind = line.text().charAt(0);
        if (kind == 'T') {
          spans.addAll(textBound(resolver, annName, line));
        } else if ("REAMN#*".indexOf(kind) >= 0) {
          ignoredLines++;
        } else {
          throw new InputFormatException(annName, line.number(),
              "a brat annotation line starting with T, R, E, A, M, N, # or *",
              InputFormatException.quote(line.text()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ann, e);
    }
    return new SpanDocument(annName, 1, text, spans, unit);
  }

  /** {@code T1<TAB>TYPE 0 5;8 12<TAB>text}. */
  private List<AnnotatedSpan> textBound(SpanResolver resolver, String annName, NumberedLine line) {
    String[] fields = line.text().split("\t", 3);
    String expected = "T<id><TAB><type> <start> <end>[;<start> <end>...]<TAB><text>";
    if (fields.length < 2) {
      throw new InputFormatException(annName, line.number(), expected, InputFormatException.quote(line.text()));
    }
    String id = fields[0];
    String middle = fields[1];
    int space = middle.indexOf(' ');
    if (space <= 0) {
      throw new InputFormatException(annName, line.number(), expected + " (type and offsets)",
          InputFormatException.quote(line.text()));
    }
    String type = middle.substring(0, space);
    String[] parts = middle.substring(space + 1).split(";", -1);
    long[][] fragments = new long[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      String[] pair = parts[i].trim().split(" +");
      if (pair.length != 2) {
        throw new InputFormatException(annName, line.number(), expected + " (offset pairs)",
            InputFormatException.quote(line.text()));
      }
      try {
        fragments[i] = new long[] {Long.parseLong(pair[0]), Long.parseLong(pair[1])};
      } catch (NumberFormatException e) {
        throw new InputFormatException(annName, line.number(), "integer offsets in " + id,
            InputFormatException.quote(parts[i]));
      }
    }
    String claimed = fields.length == 3 ? fields[2] : null;
    return resolver.resolve(line.number(), id, fragments, type, claimed);
  }

  private static String readText(Path txt) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(txt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + txt, e);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      // Find the line of the first bad byte for the message.
      long line = 1;
      int good = validPrefix(bytes);
      for (int i = 0; i < good; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new InputFormatException(txt.toString(), line, "UTF-8 text",
          String.format("an invalid UTF-8 byte 0x%02X (re-encode the file as UTF-8)", bytes[good] & 0xFF), e);
    }
  }

  /** Length of the longest prefix of {@code bytes} that decodes as UTF-8. */
  private static int validPrefix(byte[] bytes) {
    var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
    decoder.decode(in, out, true);
    return Math.min(in.position(), bytes.length - 1);
  }

  @Override
  public void close() {
    // each pair is opened and closed while it is read
  }
}
