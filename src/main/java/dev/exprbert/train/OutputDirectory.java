package dev.exprbert.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks on {@code output_dir} that must pass before any training: it is a folder (or can become one) and it can
 * be written. A run that finds out only when it saves its first checkpoint, or its results after the last step, has
 * wasted the whole run; so the trainer, and {@code exprbert train} before it loads anything, ask here first.
 *
 * <p>Writability is tried, not read from the permission bits: {@code Files.isWritable} says yes to root on a folder
 * without write permission and cannot see a read-only mount, where the write itself fails. A missing folder is not
 * created here (a run that fails later for another reason would leave an empty folder behind); its nearest existing
 * ancestor is tried instead.
 */
final class OutputDirectory {
  private OutputDirectory() {}

  /** Throws IllegalArgumentException naming {@code dir} and what is wrong with it, when training could not write it. */
  static void requireWritable(Path dir) {
    if (dir == null) {
      throw new IllegalArgumentException("output_dir is required: where checkpoints and the final model go");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("output_dir " + dir + " is a file, not a folder: give --output_dir a folder"
          + " (it is created when missing)");
    }
    Path existing = dir.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return; // nothing exists up to the root: creating the folder will say why
    }
    if (!Files.isDirectory(existing)) {
      throw new IllegalArgumentException("output_dir " + dir + " cannot be created: " + existing
          + " is a file, not a folder");
    }
    try {
      Path probe = Files.createTempFile(existing, ".exprbert-write-check-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      String what = existing.equals(dir.toAbsolutePath().normalize()) ? "" : " (its folder " + existing + " exists)";
      throw new IllegalArgumentException("output_dir " + dir + " cannot be written" + what + ": " + reason(e)
          + "; make it writable or give another --output_dir", e);
    }
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
