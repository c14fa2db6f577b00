package dev.exprbert.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repository revision as a model directory in the cache ({@code snapshots/{commit}}), the way huggingface_hub's
 * {@code snapshot_download} with an allow-list does it: ask the revision API for the commit and file list, then per
 * file a HEAD by commit for its ETag and a download of whatever blob is not cached yet, then record
 * {@code refs/{revision}}. Every file used, cached or new, is checked against its ETag ({@link BlobDigest}).
 *
 * <p>Without the hub ({@code HF_HUB_OFFLINE}, or the hub unreachable or failing) the snapshot that
 * {@code refs/{revision}} names is used if it is complete and verifies; a full commit hash as revision needs no
 * request at all once its snapshot is complete.
 */
final class HubSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(HubSnapshots.class);

  private final HubSettings settings;
  private final HubHttp http;

  HubSnapshots(HubSettings settings) {
    this.settings = settings;
    this.http = new HubHttp(settings);
  }

  Path snapshot(RepoRef ref) throws IOException {
    HubCache cache = new HubCache(settings.cacheDir(), ref);
    if (ref.isCommit()) {
      Optional<Path> cached = verifiedSnapshot(cache, ref.revision(), false);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    if (settings.offline()) {
      return cachedOrFail(ref, cache, "HF_HUB_OFFLINE is set", null);
    }
    HubHttp.RevisionInfo info;
    try {
      info = http.revision(ref);
    } catch (HubHttp.ErrorResponse e) {
      if ("RevisionNotFound".equals(e.code) || "EntryNotFound".equals(e.code)) {
        throw new HubException(ref + ": " + e.getMessage(), e);
      }
      return cachedOrFail(ref, cache, "the hub refused it (" + e.getMessage() + ")", e);
    } catch (HubException e) {
      return cachedOrFail(ref, cache, "the hub is unreachable (" + e.getMessage() + ")", e);
    }
    String commit = info.commit();
    for (String file : ModelFiles.choose(ref, commit, info.files())) {
      Optional<String> cachedEtag = cache.etagOf(cache.snapshot(commit).resolve(file));
      if (cachedEtag.isPresent() && BlobDigest.mismatch(cache.blob(cachedEtag.get()), cachedEtag.get(), null) == null) {
        continue; // a commit's files never change: a verified pointer needs no HEAD (huggingface_hub skips it too)
      }
      HubHttp.FileMetadata meta = http.metadata(ref.repoId(), commit, file);
      BlobDownload.fetch(http, cache, ref.repoId() + "/" + file, meta);
      cache.link(commit, file, meta.etag());
    }
    cache.writeRef(ref, commit);
    return cache.snapshot(commit);
  }

  private Path cachedOrFail(RepoRef ref, HubCache cache, String reason, HubException cause) throws IOException {
    Optional<String> commit = cache.commitOf(ref);
    if (commit.isPresent()) {
      Optional<Path> cached = verifiedSnapshot(cache, commit.get(), true);
      if (cached.isPresent()) {
        if (!settings.offline()) {
          LOG.warn("{}: {}; using the cached snapshot {}", ref, reason, commit.get());
        }
        return cached.get();
      }
    }
    throw new HubException(ref + " is not a local directory, " + reason + ", and the cache " + cache.repoFolder()
        + " holds no complete snapshot of it" + (settings.offline() ? "; run once without HF_HUB_OFFLINE, or pass a model directory"
            : ""), cause);
  }

  /**
   * The snapshot of {@code commit} if it holds a model (config, weights, tokenizer) whose files match their blobs'
   * ETags. A mismatch is an error when {@code strict} (no way to download again), else just "not usable".
   */
  private Optional<Path> verifiedSnapshot(HubCache cache, String commit, boolean strict) throws IOException {
    Path dir = cache.snapshot(commit);
    List<String> files = Files.isDirectory(dir) ? ModelFiles.present(dir) : null;
    if (files == null) {
      if (strict && Files.isDirectory(dir)) {
        throw new HubException("the cached snapshot " + dir + " lacks config.json, model.safetensors/pytorch_model.bin or"
            + " tokenizer.json/vocab.txt, and the hub cannot be asked for them");
      }
      return Optional.empty();
    }
    for (String file : files) {
      Path pointer = dir.resolve(file);
      Optional<String> etag = cache.etagOf(pointer);
      String bad = etag.isPresent() ? BlobDigest.mismatch(pointer, etag.get(), null) : null;
      if (bad != null) {
        if (strict) {
          throw new HubException("the cached " + pointer + " " + bad + " (the cache is corrupt) and the hub cannot be asked"
              + " for it again; delete " + cache.blob(etag.get()) + " and run online");
        }
        return Optional.empty();
      }
    }
    return Optional.of(dir);
  }
}
