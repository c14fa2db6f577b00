package dev.exprbert.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model repository on the hub and the revision asked for: {@code org/name}, {@code name}, or either with
 * {@code @revision} (a branch, a tag or a 40-hex commit; default {@code main}).
 *
 * <p>Repository ids follow huggingface_hub's {@code validate_repo_id}: one optional namespace, word characters,
 * {@code -} and {@code .}, at most 96 per part, no {@code --} or {@code ..}, not starting or ending with {@code -}
 * or {@code .}. Anything else (an absolute or relative path, {@code a/b/c}) is never sent to the hub.
 */
public record RepoRef(String repoId, String revision) {
  public static final String DEFAULT_REVISION = "main";
  private static final Pattern PART = Pattern.compile("[\\w\\-.]{1,96}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern REVISION = Pattern.compile("[\\w\\-./]{1,255}");

  /** The reference named by {@code text}, or empty when it cannot be a hub name (then it is only a local path). */
  public static Optional<RepoRef> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int at = text.indexOf('@');
    String repo = at < 0 ? text : text.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : text.substring(at + 1);
    if (!isRepoId(repo) || !REVISION.matcher(revision).matches() || revision.contains("..") || revision.startsWith("/")
        || revision.endsWith("/")) {
      return Optional.empty();
    }
    return Optional.of(new RepoRef(repo, revision));
  }

  static boolean isRepoId(String repo) {
    String[] parts = repo.split("/", -1);
    if (parts.length > 2 || repo.contains("--") || repo.contains("..") || repo.endsWith(".git")) {
      return false;
    }
    for (String part : parts) {
      if (!PART.matcher(part).matches() || part.startsWith("-") || part.startsWith(".") || part.endsWith("-")
          || part.endsWith(".")) {
        return false;
      }
    }
    return true;
  }

  /** Whether the revision is a full commit hash (immutable: a complete cached snapshot needs no network). */
  public boolean isCommit() {
    return COMMIT.matcher(revision).matches();
  }

  /** huggingface_hub's cache folder name: {@code models--org--name}. */
  String cacheFolderName() {
    return "models--" + repoId.replace("/", "--");
  }

  @Override
  public String toString() {
    return repoId + "@" + revision;
  }
}
