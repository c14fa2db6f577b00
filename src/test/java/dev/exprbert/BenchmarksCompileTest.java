package dev.exprbert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java benchmark under {@code benchmarks/} compiles against the current sources: the benchmarks are not part of
 * the Maven build, so without this check a refactoring leaves them broken until someone runs them (it happened once,
 * when the model classes moved to their families' packages).
 */
class BenchmarksCompileTest {
  @TempDir
  Path out;

  @Test
  void everyBenchmarkCompiles() throws IOException {
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("benchmarks"))) {
      files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().forEach(sources::add);
    }
    assertFalse(sources.isEmpty(), "no benchmark sources found under benchmarks/");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "this test needs a JDK (javax.tools), not a JRE");
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path"),
        "-proc:none", "-Xlint:none", "-nowarn"));
    args.addAll(sources);
    StringWriter errors = new StringWriter();
    int code = javac.run(null, null, new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        errors.write(b);
      }
    }, true), args.toArray(String[]::new));
    assertEquals(0, code, "benchmarks/ no longer compile against src/main:\n" + errors);
  }
}
