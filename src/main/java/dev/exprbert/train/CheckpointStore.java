package dev.exprbert.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code checkpoint-N/} folders of an output directory, written crash-safely.
 *
 * <p>[note: atomic checkpoints] A checkpoint is written in full into {@code checkpoint-N.tmp-<random>/}
 * with {@code trainer_state.json} as its last file, every file and the folder fsynced, and only then
 * renamed to {@code checkpoint-N/} in one atomic step (the parent fsynced after). A crash or a full disk
 * therefore leaves at most a {@code .tmp-} folder, which is never listed as a checkpoint and is deleted
 * by the next run; a {@code checkpoint-N/} without {@code trainer_state.json} (copied by hand, or from
 * another tool) is not treated as a checkpoint either.
 */
public final class CheckpointStore {
  public static final String PREFIX = "checkpoint-";
  /** Written last: its presence marks a complete checkpoint. */
  public static final String MARKER = RunState.TRAINER_STATE;
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)");
  private static final Pattern TEMP = Pattern.compile(Pattern.quote(PREFIX) + "\\d+\\.tmp-[0-9a-f]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Writes a checkpoint's files into a folder (the temporary one); must write {@link #MARKER} last. */
  @FunctionalInterface
  public interface ContentWriter {
    void write(Path folder) throws IOException;
  }

  private final Path outputDir;

  public CheckpointStore(Path outputDir) {
    this.outputDir = outputDir;
  }

  public Path outputDir() {
    return outputDir;
  }

  public static Path folderFor(Path outputDir, long step) {
    return outputDir.resolve(PREFIX + step);
  }

  /**
   * Writes {@code checkpoint-<step>/} through a temporary folder and an atomic rename. On any failure
   * the temporary folder is removed, the exception propagates, and every earlier checkpoint is untouched.
   */
  public Path save(long step, ContentWriter writer) throws IOException {
    Files.createDirectories(outputDir);
    Path target = folderFor(outputDir, step);
    Path temp = outputDir.resolve(PREFIX + step + ".tmp-" + HexFormat.of().formatHex(randomBytes()));
    Files.createDirectory(temp);
    boolean moved = false;
    try {
      writer.write(temp);
      if (!Files.isRegularFile(temp.resolve(MARKER))) {
        throw new IllegalStateException("checkpoint writer did not write " + MARKER + " into " + temp);
      }
      fsyncTree(temp);
      if (Files.exists(target)) {
        deleteTree(target); // the same step saved again (a resumed run re-reaching it): replace it
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot publish checkpoint " + target + " atomically: the file system of " + outputDir
            + " does not support an atomic rename", e);
      }
      moved = true;
      fsync(outputDir, true);
      return target;
    } finally {
      if (!moved) {
        deleteTree(temp);
      }
    }
  }

  /** Complete checkpoints (with {@link #MARKER}), oldest step first. */
  public List<Path> list() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(outputDir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path p : entries) {
        if (NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p.resolve(MARKER))) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
    return out;
  }

  public Optional<Path> latest() throws IOException {
    List<Path> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The step N of a {@code checkpoint-N} folder. */
  public static long stepOf(Path checkpoint) {
    Matcher m = NAME.matcher(checkpoint.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException(checkpoint + " is not a checkpoint folder: expected a name like checkpoint-500");
    }
    return Long.parseLong(m.group(1));
  }

  /** Checks that {@code dir} is a complete checkpoint; the message says what is missing. */
  public static void requireComplete(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("resume_from_checkpoint: " + dir + " is not a directory");
    }
    if (!Files.isRegularFile(dir.resolve(MARKER))) {
      throw new IllegalArgumentException("resume_from_checkpoint: " + dir + " has no " + MARKER
          + ", so it is not a complete checkpoint (an interrupted save?); use an earlier checkpoint");
    }
  }

  /**
   * Deletes the oldest checkpoints beyond {@code limit}, but never the newest (resume needs it) nor
   * {@code keep} (the best one): with a limit of 1 and a best checkpoint that is not the newest, two
   * stay, as in Hugging Face's {@code _rotate_checkpoints}.
   */
  public List<Path> rotate(int limit, Path keep) throws IOException {
    List<Path> all = list();
    List<Path> deleted = new ArrayList<>();
    int excess = all.size() - limit;
    for (Path p : all.subList(0, Math.max(0, all.size() - 1))) {
      if (excess <= 0) {
        break;
      }
      if (keep != null && p.toAbsolutePath().normalize().equals(keep.toAbsolutePath().normalize())) {
        continue;
      }
      deleteTree(p);
      deleted.add(p);
      excess--;
    }
    return deleted;
  }

  /** Removes temporary folders a crashed save left behind. */
  public void removeIncompleteSaves() throws IOException {
    if (!Files.isDirectory(outputDir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path p : entries) {
        if (TEMP.matcher(p.getFileName().toString()).matches()) {
          deleteTree(p);
        }
      }
    }
  }

  /** Deletes every checkpoint folder, complete or not (for overwrite_output_dir). */
  public void deleteAll() throws IOException {
    removeIncompleteSaves();
    if (!Files.isDirectory(outputDir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path p : entries) {
        if (NAME.matcher(p.getFileName().toString()).matches()) {
          deleteTree(p);
        }
      }
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return b;
  }

  private static void fsyncTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) {
          fsync(p, false);
        }
      }
    }
    fsync(dir, true);
  }

  private static void fsync(Path p, boolean directory) throws IOException {
    try (FileChannel channel = FileChannel.open(p, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // some platforms cannot open a directory for fsync; the rename is as durable as it gets there
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }
}
