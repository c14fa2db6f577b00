package dev.exprbert.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Model names that need no download: {@code all-MiniLM-L6-v2} (also with its Hub prefix
 * {@code sentence-transformers/}) resolves to the converted copy of the encoder that Maven Central
 * ships ({@link PretrainedMiniLm}). Anything else is a local directory; an existing directory of the
 * same name always wins.
 */
public final class PretrainedModels {
  public static final List<String> MINILM_NAMES = List.of("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2");

  private PretrainedModels() {}

  public static Path resolve(String nameOrPath) throws IOException {
    Path path = Path.of(nameOrPath);
    if (Files.isDirectory(path) || !MINILM_NAMES.contains(nameOrPath)) {
      return path;
    }
    return PretrainedMiniLm.ensureConverted();
  }
}
