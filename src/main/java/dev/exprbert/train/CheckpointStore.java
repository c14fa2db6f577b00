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
 * renamed to {@code checkpoint-N/} in one atomic step (the parent fsynced after). Deleting goes the other way:
 * a checkpoint that rotation (or a re-save of its step, or {@code overwrite_output_dir}) removes is first renamed
 * to {@code checkpoint-N.deleting-<random>/} in one atomic step, and only then are its files deleted. A crash, a
 * {@code kill -9} or a full disk at any moment therefore leaves complete checkpoints and at most {@code .tmp-} and
 * {@code .deleting-} folders, which are never listed as checkpoints, do not count as an earlier run, and are
 * deleted by the next run ({@link #removeIncompleteFolders}). A {@code checkpoint-N/} without
 * {@code trainer_state.json} (copied by hand, or from another tool) is not treated as a checkpoint either, but
 * it is left alone: it was not made by an interrupted write or delete of ours.
 */
public final class CheckpointStore {
  public static final String PREFIX = "checkpoint-";
  /** Written last: its presence marks a complete checkpoint. */
  public static final String MARKER = RunState.TRAINER_STATE;
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)");
  /** Folders of an interrupted save ({@code .tmp-}) or delete ({@code .deleting-}). */
  private static final Pattern INCOMPLETE = Pattern.compile(Pattern.quote(PREFIX) + "\\d+\\.(tmp|deleting)-[0-9a-f]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Writes a checkpoint's files into a folder (the temporary one); must write {@link #MARKER} last. */
  @FunctionalInterface
  public interface ContentWriter {
    void write(Path folder) throws IOException;
  }

  /** Called before each file of a checkpoint being deleted is removed; tests pause or fail in it. */
  @FunctionalInterface
  interface DeleteHook {
    void beforeDelete(Path file) throws IOException;
  }

  private final Path outputDir;
  private DeleteHook deleteHook = file -> {};

  public CheckpointStore(Path outputDir) {
    this.outputDir = outputDir;
  }

  public Path outputDir() {
    return outputDir;
  }

  void onDelete(DeleteHook hook) {
    this.deleteHook = hook;
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
        delete(target); // the same step saved again (a resumed run re-reaching it): replace it
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
      delete(p);
      deleted.add(p);
      excess--;
    }
    return deleted;
  }

  /**
   * Removes the folders an interrupted save ({@code .tmp-}) or delete ({@code .deleting-}) left behind; returns
   * their names.
   */
  public List<String> removeIncompleteFolders() throws IOException {
    List<Path> found = matching(INCOMPLETE);
    for (Path p : found) {
      deleteTree(p);
    }
    return found.stream().map(p -> p.getFileName().toString()).toList();
  }

  /** Names of the {@code .tmp-} and {@code .deleting-} folders in the output directory. */
  public List<String> incompleteFolders() throws IOException {
    return matching(INCOMPLETE).stream().map(p -> p.getFileName().toString()).toList();
  }

  /**
   * The names of {@code checkpoint-N} folders, complete or not (a hand-made one without {@link #MARKER} counts:
   * it belongs to someone), but not the leftovers of an interrupted save or delete.
   */
  public List<String> checkpointFolderNames() throws IOException {
    return matching(NAME).stream().map(p -> p.getFileName().toString()).sorted().toList();
  }

  /** Deletes every checkpoint folder, complete or not (for overwrite_output_dir). */
  public void deleteAll() throws IOException {
    removeIncompleteFolders();
    for (Path p : matching(NAME)) {
      delete(p);
    }
  }

  private List<Path> matching(Pattern pattern) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(outputDir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir)) {
      for (Path p : entries) {
        if (pattern.matcher(p.getFileName().toString()).matches()) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /**
   * Deletes a checkpoint crash-safely ([note: atomic checkpoints]): one atomic rename out of the
   * {@code checkpoint-N} name, so no reader ever sees it half deleted, then the files.
   */
  private void delete(Path checkpoint) throws IOException {
    Path doomed = outputDir.resolve(checkpoint.getFileName() + ".deleting-" + HexFormat.of().formatHex(randomBytes()));
    try {
      Files.move(checkpoint, doomed, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot delete checkpoint " + checkpoint + " crash-safely: the file system of " + outputDir
          + " does not support an atomic rename", e);
    }
    fsync(outputDir, true);
    try (Stream<Path> walk = Files.walk(doomed)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(doomed)) {
          deleteHook.beforeDelete(p);
        }
        Files.deleteIfExists(p);
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
