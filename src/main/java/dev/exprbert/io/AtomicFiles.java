package dev.exprbert.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: write a temporary file in the target's folder, fsync it, then rename it
 * over the target in one atomic step, and fsync the folder so the rename itself survives a power cut.
 * A reader therefore sees either the old complete file or the new complete file, never a half-written
 * one under the final name; a crash leaves at most a stray {@code .<name>.*.tmp} file beside it.
 */
public final class AtomicFiles {
  /** The body that writes the content; it must not close the channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    void write(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  /** Writes {@code target} atomically with the content the body produces. */
  public static void write(Path target, ChannelWriter body) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new java.nio.file.NoSuchFileException(String.valueOf(folder), null,
          "cannot write " + target + ": its folder does not exist");
    }
    Path temp = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        body.write(channel);
        channel.force(true);
      } catch (FileSystemException e) {
        throw e; // names its file already
      } catch (IOException e) {
        // a full disk says only "No space left on device": name the file it happened to
        throw new IOException("while writing " + target + ": " + e.getMessage(), e);
      }
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically: the file system does not support an atomic"
            + " rename within " + folder, e);
      }
      moved = true;
      syncFolder(folder);
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Writes a UTF-8 string atomically. */
  public static void writeString(Path target, String content) throws IOException {
    byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    write(target, channel -> {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    });
  }

  private static void syncFolder(Path folder) {
    // Linux and macOS let a directory be opened and fsynced; Windows does not, and there the rename is
    // already as durable as it gets. Failing here would report an error for a file that is complete.
    try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // best effort, see above
    }
  }
}
