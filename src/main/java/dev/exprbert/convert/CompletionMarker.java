package dev.exprbert.convert;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file that says a cached directory is complete: a header naming what was converted (and by
 * which format version), then one line {@code <sha256> <size> <name>} per file. It is written last,
 * so a directory without a marker that matches every file byte for byte is never used.
 */
final class CompletionMarker {
  static final String FILE = ".exprbert-complete";

  private CompletionMarker() {}

  /** Writes the marker for every regular file now in {@code dir}. */
  static void write(Path dir, String header) throws IOException {
    StringBuilder text = new StringBuilder(header).append('\n');
    for (Path file : files(dir)) {
      text.append(sha256(file)).append(' ').append(Files.size(file)).append(' ').append(file.getFileName()).append('\n');
    }
    dev.exprbert.io.AtomicFiles.writeString(dir.resolve(FILE), text.toString());
  }

  /**
   * True when {@code dir} has a marker with this {@code header} and its files are exactly those the
   * marker lists, with the same sizes and SHA-256 sums.
   */
  static boolean isComplete(Path dir, String header) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (lines.isEmpty() || !lines.get(0).equals(header)) {
      return false;
    }
    List<Path> present = files(dir);
    if (present.size() != lines.size() - 1) {
      return false;
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] parts = line.split(" ", 3);
      if (parts.length != 3) {
        return false;
      }
      Path file = dir.resolve(parts[2]);
      if (!Files.isRegularFile(file) || Files.size(file) != Long.parseLong(parts[1]) || !sha256(file).equals(parts[0])) {
        return false;
      }
    }
    return true;
  }

  /** Regular files of {@code dir} other than the marker, sorted by name. */
  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      List<Path> out = new ArrayList<>(list.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals(FILE)).sorted().toList());
      return out;
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
