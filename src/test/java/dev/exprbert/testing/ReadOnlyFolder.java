package dev.exprbert.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * A folder that really cannot be written, for tests of the read-only output-directory checks. Permission bits are
 * not enough where tests run as root (root writes through them), so there the folder is also made immutable with
 * {@code chattr +i}, which stops root too. {@link #close} makes it writable again so the temporary folder can be
 * deleted.
 */
public final class ReadOnlyFolder implements AutoCloseable {
  private final Path dir;
  private final boolean immutable;

  private ReadOnlyFolder(Path dir, boolean immutable) {
    this.dir = dir;
    this.immutable = immutable;
  }

  /** Makes {@code dir} (created when missing) read-only; {@link #works} says whether a write now fails. */
  public static ReadOnlyFolder of(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    boolean immutable = false;
    if (canWrite(dir)) {
      Process chattr = new ProcessBuilder("chattr", "+i", dir.toString()).redirectErrorStream(true).start();
      immutable = chattr.waitFor(30, TimeUnit.SECONDS) && chattr.exitValue() == 0;
    }
    return new ReadOnlyFolder(dir, immutable);
  }

  /** Whether writing into the folder fails now (false where neither permissions nor chattr could stop it). */
  public boolean works() {
    return !canWrite(dir);
  }

  private static boolean canWrite(Path dir) {
    try {
      Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (immutable) {
      new ProcessBuilder("chattr", "-i", dir.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
