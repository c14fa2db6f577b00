package dev.exprbert.hub;

import dev.exprbert.convert.PretrainedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns what a user passes as a model ({@code --model}, {@code --model_name_or_path}) into a model directory:
 * <ol>
 *   <li>an existing local path is used as it is (a directory of that name always wins, as in transformers);
 *   <li>{@code all-MiniLM-L6-v2} and {@code sentence-transformers/all-MiniLM-L6-v2} are the copy converted from
 *       Maven Central, no download ({@link PretrainedModels});
 *   <li>{@code org/name} or {@code org/name@revision} is downloaded from the hub into huggingface_hub's cache
 *       ({@link HubSettings} for the environment variables), verified, and its snapshot directory returned;
 *   <li>anything else (a path that does not exist, {@code a/b/c}) is returned as a path, for the caller to report.
 * </ol>
 */
public final class ModelResolver {
  private static final Map<List<Object>, Path> RESOLVED = new ConcurrentHashMap<>();

  private ModelResolver() {}

  /**
   * Resolves with the settings of the environment ({@code HF_ENDPOINT}, {@code HF_HOME}, {@code HF_HUB_OFFLINE}...).
   * A hub name resolves once per process: train resolves its model and its tokenizer from the same name, and the
   * second look-up would only repeat the revision request and the checksums of every file.
   */
  public static Path resolve(String nameOrPath) throws IOException {
    HubSettings settings = HubSettings.fromEnvironment();
    List<Object> key = List.of(String.valueOf(nameOrPath), settings.endpoint(), settings.cacheDir(), settings.offline());
    Path known = RESOLVED.get(key);
    if (known != null && Files.isDirectory(known)) {
      return known;
    }
    Path resolved = resolve(nameOrPath, settings);
    if (RepoRef.parse(nameOrPath).isPresent() && Files.isDirectory(resolved)) {
      RESOLVED.put(key, resolved);
    }
    return resolved;
  }

  public static Path resolve(String nameOrPath, HubSettings settings) throws IOException {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      throw new IllegalArgumentException("a model is required: a model directory or a hub name org/name[@revision]");
    }
    Path local = asPath(nameOrPath);
    if (local != null && Files.exists(local)) {
      return local;
    }
    if (PretrainedModels.MINILM_NAMES.contains(nameOrPath)) {
      return PretrainedModels.resolve(nameOrPath);
    }
    Optional<RepoRef> ref = RepoRef.parse(nameOrPath);
    if (ref.isEmpty()) {
      if (local == null) {
        throw new IllegalArgumentException("model \"" + nameOrPath + "\" is neither a valid path nor a hub name org/name[@revision]");
      }
      return local;
    }
    return new HubSnapshots(settings).snapshot(ref.get());
  }

  private static Path asPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
