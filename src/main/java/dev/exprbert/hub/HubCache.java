package dev.exprbert.hub;

import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * huggingface_hub's cache layout, for one repository:
 * <pre>
 *   {cache}/models--org--name/blobs/{etag}                 file contents, named by ETag
 *                            /snapshots/{commit}/{file}     relative symlinks to ../../blobs/{etag}
 *                            /refs/{revision}               the commit a branch or tag pointed to (no newline)
 *   {cache}/.locks/models--org--name/{etag}.lock            held while a blob is downloaded
 * </pre>
 * Where symlinks cannot be made, the snapshot holds a copy, as huggingface_hub does.
 */
final class HubCache {
  private final Path repoFolder;
  private final Path locks;

  HubCache(Path cacheDir, RepoRef ref) {
    this.repoFolder = cacheDir.resolve(ref.cacheFolderName());
    this.locks = cacheDir.resolve(".locks").resolve(ref.cacheFolderName());
  }

  Path repoFolder() {
    return repoFolder;
  }

  Path blob(String etag) {
    return repoFolder.resolve("blobs").resolve(etag);
  }

  Path snapshot(String commit) {
    return repoFolder.resolve("snapshots").resolve(commit);
  }

  Path lockFile(String etag) {
    return locks.resolve(etag + ".lock");
  }

  /** The commit {@code refs/{revision}} names, if the cache knows the revision. */
  Optional<String> commitOf(RepoRef ref) throws IOException {
    if (ref.isCommit()) {
      return Optional.of(ref.revision());
    }
    Path file = repoFolder.resolve("refs").resolve(ref.revision());
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String commit = Files.readString(file, StandardCharsets.UTF_8).trim();
    return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
  }

  /** Records that {@code revision} is {@code commit} (atomically; nothing for a commit-hash revision). */
  void writeRef(RepoRef ref, String commit) throws IOException {
    if (ref.revision().equals(commit)) {
      return;
    }
    Path file = repoFolder.resolve("refs").resolve(ref.revision());
    if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).trim().equals(commit)) {
      return;
    }
    Files.createDirectories(file.getParent());
    AtomicFiles.writeString(file, commit);
  }

  /**
   * The blob's ETag when {@code pointer} is a snapshot symlink into this repository's blobs, else empty (a copy
   * made where symlinks are unsupported, or a dangling link).
   */
  Optional<String> etagOf(Path pointer) throws IOException {
    if (!Files.isSymbolicLink(pointer)) {
      return Optional.empty();
    }
    Path target = pointer.getParent().resolve(Files.readSymbolicLink(pointer)).normalize();
    if (!target.getParent().equals(repoFolder.resolve("blobs").normalize()) || !Files.isRegularFile(target)) {
      return Optional.empty();
    }
    return Optional.of(target.getFileName().toString());
  }

  /** Makes {@code snapshots/{commit}/{file}} point at {@code blobs/{etag}}, replacing whatever was there. */
  void link(String commit, String file, String etag) throws IOException {
    Path pointer = snapshot(commit).resolve(file);
    Files.createDirectories(pointer.getParent());
    Files.deleteIfExists(pointer);
    Path blob = blob(etag);
    try {
      Files.createSymbolicLink(pointer, pointer.getParent().relativize(blob));
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    }
  }
}
