package dev.exprbert.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small dataset files into a test's temporary directory and reads them back. */
final class TestFiles {
  private TestFiles() {}

  static Path write(Path dir, String name, String content) {
    return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      return Files.write(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every sentence of the file, read with the given options. */
  static List<LabeledSentence> readAll(Path file, ReaderOptions options) {
    List<LabeledSentence> sentences = new ArrayList<>();
    try (SentenceReader reader = SentenceReaders.open(file, options)) {
      reader.forEachRemaining(sentences::add);
    }
    return sentences;
  }

  static List<LabeledSentence> readAll(Path file) {
    return readAll(file, ReaderOptions.DEFAULTS);
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
