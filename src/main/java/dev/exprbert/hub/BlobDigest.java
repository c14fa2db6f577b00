package dev.exprbert.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Checks a file against the hub's ETag, which names its blob in the cache: 64 hex digits are the sha256 of an LFS
 * file's content, 40 are the git blob id of a regular file (sha1 of {@code "blob <size>\0"} + content), the two
 * algorithms huggingface_hub's own cache verification uses. Any other ETag (a mirror's opaque one) can only be
 * checked by size.
 */
final class BlobDigest {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");

  private BlobDigest() {}

  /** Null when {@code file} matches {@code etag} (and {@code size}, when known); otherwise why not. */
  static String mismatch(Path file, String etag, Long size) throws IOException {
    long actualSize = Files.size(file);
    if (size != null && actualSize != size) {
      return "has " + actualSize + " bytes, expected " + size;
    }
    if (SHA256.matcher(etag).matches()) {
      String actual = digest(file, "SHA-256", null);
      return actual.equals(etag) ? null : "has sha256 " + actual + ", expected " + etag;
    }
    if (GIT_SHA1.matcher(etag).matches()) {
      String actual = digest(file, "SHA-1", ("blob " + actualSize + "\0").getBytes(StandardCharsets.US_ASCII));
      return actual.equals(etag) ? null : "has git blob id " + actual + ", expected " + etag;
    }
    return null;
  }

  static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides " + algorithm, e);
    }
    if (prefix != null) {
      md.update(prefix);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
