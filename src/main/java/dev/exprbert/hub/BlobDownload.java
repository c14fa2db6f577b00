package dev.exprbert.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one verified blob into the cache. The bytes go to {@code blobs/{etag}.incomplete}, which a dropped
 * connection leaves in place: the transfer resumes from its size with {@code Range: bytes=N-} (in this run, up to
 * {@value #MAX_STALLS} times without progress, or in the next run), and restarts from zero when the server ignores
 * the range. The finished file is checked against the ETag ({@link BlobDigest}) before it is renamed to
 * {@code blobs/{etag}}; a mismatch deletes it and downloads once more, and a second mismatch is an error. So
 * {@code blobs/} only ever holds files whose content matches their name.
 */
final class BlobDownload {
  private static final Logger LOG = LoggerFactory.getLogger(BlobDownload.class);
  static final int MAX_STALLS = 5;
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private BlobDownload() {}

  /** Ensures {@code blobs/{etag}} holds {@code file}'s verified content, downloading what is missing. */
  static void fetch(HubHttp http, HubCache cache, String description, HubHttp.FileMetadata meta) throws IOException {
    Path blob = cache.blob(meta.etag());
    Path incomplete = blob.resolveSibling(meta.etag() + ".incomplete");
    Files.createDirectories(blob.getParent());
    Path lockFile = cache.lockFile(meta.etag());
    Files.createDirectories(lockFile.getParent());
    ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
    local.lock(); // FileChannel locks are per process: threads of this one queue here first
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      if (Files.isRegularFile(blob)) {
        String bad = BlobDigest.mismatch(blob, meta.etag(), meta.size());
        if (bad == null) {
          return;
        }
        LOG.warn("cached {} {}; downloading it again", description, bad);
        Files.delete(blob);
      }
      for (int attempt = 1; ; attempt++) {
        transfer(http, meta.location(), incomplete, meta.size(), description);
        String bad = BlobDigest.mismatch(incomplete, meta.etag(), meta.size());
        if (bad == null) {
          Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE);
          return;
        }
        Files.delete(incomplete);
        if (attempt == 2) {
          throw new HubException(description + " downloaded from " + meta.location() + " " + bad
              + " twice in a row; refusing it (the server or a proxy sends corrupt data)");
        }
        LOG.warn("{} downloaded from {} {}; downloading it again", description, meta.location(), bad);
      }
    } finally {
      local.unlock();
    }
  }

  /** Appends to {@code incomplete} until it holds {@code expectedSize} bytes (or the whole body, size unknown). */
  private static void transfer(HubHttp http, String url, Path incomplete, Long expectedSize, String description)
      throws IOException {
    int stalls = 0;
    IOException last = null;
    while (true) {
      long have = Files.exists(incomplete) ? Files.size(incomplete) : 0;
      if (expectedSize != null && have == expectedSize) {
        return;
      }
      if (expectedSize != null && have > expectedSize) {
        Files.delete(incomplete); // longer than the file: not a prefix of it
        have = 0;
      }
      if (stalls > MAX_STALLS) {
        throw new HubException("download of " + description + " from " + url + " stopped at " + have + " of "
            + (expectedSize == null ? "?" : expectedSize) + " bytes after " + MAX_STALLS + " retries without progress;"
            + " run again to resume from there (" + incomplete + ")", last);
      }
      if (have > 0) {
        LOG.info("resuming {} at byte {}", description, have);
      }
      long received = 0;
      HttpURLConnection c = null;
      try {
        c = http.openDownload(url, have);
        int status = c.getResponseCode();
        if (status == 416) { // the range starts past the end: what we hold is not a prefix
          Files.deleteIfExists(incomplete);
          stalls++;
          continue;
        }
        boolean append = status == 206 && have > 0;
        try (InputStream in = c.getInputStream();
            OutputStream out = Files.newOutputStream(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
          byte[] buffer = new byte[1 << 16];
          for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            received += n;
          }
        }
        if (expectedSize == null) {
          return;
        }
      } catch (IOException e) {
        last = e;
        LOG.warn("download of {} interrupted after {} more bytes: {}", description, received, e.toString());
      } finally {
        if (c != null) {
          c.disconnect();
        }
      }
      if (received == 0) {
        stalls++;
        sleepQuietly(100L * stalls);
      } else {
        stalls = 0;
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
