package dev.exprbert.convert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Puts a whole directory in place in one step: its files are written into a staging directory
 * beside the target (same file system), which is then renamed onto the target. A reader sees no
 * directory or a complete one, never a half-written one under the final name; a crash leaves at most
 * a {@code .<name>.staging-*} directory beside it.
 *
 * <p>[note: replacing a directory] rename(2) replaces an empty directory atomically but not a
 * non-empty one, so {@link #replace} first renames the old directory aside, then renames the new one
 * in, then deletes the old one: there is a moment with no directory under the name, never a mixed one.
 */
final class DirectoryInstall {
  private DirectoryInstall() {}

  /** Refuses a target that is a file, or a non-empty directory unless {@code overwrite}. */
  static void checkTarget(Path target, boolean overwrite) {
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new IllegalArgumentException("output " + target + " is a file; expected a directory (new, empty, or with --overwrite)");
    }
    if (!overwrite && !isAbsentOrEmpty(target)) {
      throw new IllegalArgumentException("output directory " + target + " is not empty; expected a new or empty directory"
          + " (pass --overwrite to replace it)");
    }
  }

  static boolean isAbsentOrEmpty(Path dir) {
    if (!Files.isDirectory(dir)) {
      return !Files.exists(dir);
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** A new empty directory beside {@code target}, named after it; the parent is created if needed. */
  static Path createStaging(Path target, String purpose) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("output " + target + " has no parent directory; expected a directory path below a root");
    }
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, "." + absolute.getFileName() + "." + purpose + "-");
  }

  /**
   * Renames {@code staging} onto {@code target} if the target is absent or empty.
   *
   * @return false when the target exists and is not empty (someone else installed it first); the
   *     staging directory is then left for the caller to delete
   */
  static boolean moveIntoPlace(Path staging, Path target) throws IOException {
    try {
      Files.move(staging, target.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (FileSystemException e) {
      // rename(2) reports ENOTEMPTY/EEXIST, which Java surfaces as a plain FileSystemException
      if (Files.isDirectory(target) && !isAbsentOrEmpty(target)) {
        return false;
      }
      throw e;
    }
  }

  /** Installs {@code staging} as {@code target}, replacing whatever directory is there (see the class note). */
  static void replace(Path staging, Path target) throws IOException {
    if (moveIntoPlace(staging, target)) {
      return;
    }
    Path aside = createStaging(target, "replaced");
    Files.delete(aside); // only the unique name is wanted: the old directory is renamed to it
    Files.move(target.toAbsolutePath(), aside, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staging, target.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(aside, target.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE); // put the old one back
      throw e;
    }
    deleteRecursively(aside);
  }

  /** Deletes {@code dir} and everything below it; an absent directory is fine. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
