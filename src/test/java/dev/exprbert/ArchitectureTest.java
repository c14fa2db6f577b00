package dev.exprbert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout shows the architecture (docs/architecture.md): the arrows go one way,
 * {@code cli -> train/infer -> model/optim/data/metrics/report -> autograd/kernels/io -> runtime}, every package
 * states its job in a package-info.java, and the native kernels' common code does not reach up into the API layer.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src", "main", "java", "dev", "exprbert");

  /** What each top-level package may import from the project (a package always may import itself). */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("runtime", Set.of()),
      Map.entry("autograd", Set.of()),
      Map.entry("kernels", Set.of("runtime")),
      Map.entry("io", Set.of("runtime")),
      Map.entry("metrics", Set.of("runtime")),
      Map.entry("model", Set.of("autograd", "kernels", "io", "runtime")),
      Map.entry("optim", Set.of("model", "kernels", "runtime")),
      Map.entry("dist", Set.of("runtime")),
      Map.entry("data", Set.of("model", "io", "runtime")),
      Map.entry("report", Set.of("io", "runtime")),
      Map.entry("convert", Set.of("model", "io", "runtime")),
      Map.entry("export", Set.of("model", "io", "runtime")),
      Map.entry("hub", Set.of("convert", "io", "runtime")),
      Map.entry("infer", Set.of("data", "model", "io", "runtime")),
      Map.entry("serve", Set.of("infer", "data", "model", "runtime")),
      Map.entry("train", Set.of("infer", "convert", "hub", "data", "model", "optim", "dist", "metrics", "report", "io",
          "runtime")),
      Map.entry("cli", Set.of("train", "infer", "serve", "export", "convert", "hub", "data", "model", "optim", "dist",
          "metrics", "report", "io", "runtime")));

  @Test
  void importsFollowTheArrows() throws IOException {
    Pattern imports = Pattern.compile("(?m)^import (?:static )?dev\\.exprbert\\.([a-z]+)\\.");
    Map<String, Set<String>> found = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = MAIN.relativize(file).getName(0).toString();
        Set<String> allowed = ALLOWED.get(pkg);
        assertTrue(allowed != null, "package " + pkg + " is not in the architecture; add it to ALLOWED and docs/architecture.md");
        Matcher m = imports.matcher(Files.readString(file));
        while (m.find()) {
          String target = m.group(1);
          found.computeIfAbsent(pkg, k -> new TreeSet<>()).add(target);
          if (!target.equals(pkg) && !allowed.contains(target)) {
            violations.add(MAIN.relativize(file) + " imports dev.exprbert." + target);
          }
        }
      }
    }
    assertEquals(List.of(), violations, "arrows that point the wrong way; found " + found);
  }

  @Test
  void everyPackageStatesItsJob() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        boolean hasClasses;
        try (Stream<Path> files = Files.list(dir)) {
          hasClasses = files.anyMatch(f -> f.toString().endsWith(".java"));
        }
        if (hasClasses && !Files.isRegularFile(dir.resolve("package-info.java"))) {
          missing.add(MAIN.relativize(dir).toString());
        }
      }
    }
    assertEquals(List.of(), missing, "packages without a package-info.java");
  }

  @Test
  void nativeCommonCodeDoesNotIncludeTheApiLayer() throws IOException {
    List<String> upward = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("native", "src", "common"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith("#include") && line.contains("api/")) {
            upward.add(file + ": " + line);
          }
        }
      }
    }
    assertEquals(List.of(), upward);
  }
}
