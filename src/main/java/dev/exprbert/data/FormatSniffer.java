package dev.exprbert.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Picks the format of a dataset file whose format was not named: a folder, and a {@code .txt}
 * with a {@code .ann} of the same name beside it, are brat; a {@code .json}
 * or {@code .jsonl} file is looked into, because three formats share those extensions: a {@code
 * .json} file starting with {@code [} is Label Studio's export, one whose first record has a string
 * {@code text} field and no {@code tokens}/{@code words} array holds character-offset spans, and
 * anything else is read as token/tag JSON Lines (whose reader explains what it expected). Other
 * files go by their extension ({@link DatasetFormat#fromPath}).
 */
final class FormatSniffer {
  /** How much of a file is read to look at its first record. */
  private static final int PEEK_BYTES = 1 << 20;

  private FormatSniffer() {}

  static DatasetFormat sniff(Path file, ReaderOptions options) {
    if (Files.isDirectory(file)) {
      return DatasetFormat.BRAT;
    }
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".txt")) {
      String base = file.getFileName().toString();
      if (Files.isRegularFile(file.resolveSibling(base.substring(0, base.length() - 4) + ".ann"))) {
        return DatasetFormat.BRAT; // a brat pair, named by its text file
      }
    }
    if (!(name.endsWith(".json") || name.endsWith(".jsonl")) || !Files.isRegularFile(file)) {
      return DatasetFormat.fromPath(file);
    }
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(PEEK_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dataset file " + file, e);
    }
    int i = 0;
    if (head.length >= 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF) {
      i = 3;
    }
    while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
      i++;
    }
    if (i < head.length && head[i] == '[') {
      // Label Studio exports .json; a .jsonl holding an array is a JSON file misnamed, which the
      // JSON Lines reader explains.
      return name.endsWith(".json") ? DatasetFormat.LABEL_STUDIO : DatasetFormat.JSONL;
    }
    int end = i;
    while (end < head.length && head[end] != '\n') {
      end++;
    }
    JsonObject first;
    try {
      JsonElement element = JsonParser.parseString(new String(head, i, end - i, StandardCharsets.UTF_8));
      if (!element.isJsonObject()) {
        return DatasetFormat.JSONL;
      }
      first = element.getAsJsonObject();
    } catch (RuntimeException unreadable) {
      return DatasetFormat.JSONL; // its reader reports the line precisely
    }
    String tokens = options.tokensField();
    // a named token field may be the span files' text field too (run_ner's one text_column_name): an array is words
    boolean hasTokens = tokens != null ? first.has(tokens) && first.get(tokens).isJsonArray()
        : first.has("tokens") || first.has("words");
    JsonElement text = first.get(options.spans().textFieldOrDefault());
    boolean hasText = text != null && text.isJsonPrimitive() && text.getAsJsonPrimitive().isString();
    return hasText && !hasTokens ? DatasetFormat.SPANS : DatasetFormat.JSONL;
  }
}
