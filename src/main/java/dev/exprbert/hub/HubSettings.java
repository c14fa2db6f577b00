package dev.exprbert.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where models come from and where they are kept, read from the environment variables huggingface_hub reads, with
 * its defaults, so one cache serves both:
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub, default {@code https://huggingface.co};
 *   <li>{@code HF_HUB_CACHE} (or the older {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}, with
 *       {@code HF_HOME} defaulting to {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface};
 *   <li>{@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) = 1/ON/YES/TRUE: the cache only, no request;
 *   <li>{@code HF_TOKEN}, else the file {@code HF_TOKEN_PATH} or {@code $HF_HOME/token}: sent as a bearer token to
 *       the hub's own host only (never to the CDN a download is redirected to).
 * </ul>
 *
 * @param connectTimeoutMs TCP connect timeout of every request
 * @param readTimeoutMs longest silence while reading metadata or a download before the request is retried
 */
public record HubSettings(String endpoint, Path cacheDir, boolean offline, String token, int connectTimeoutMs,
    int readTimeoutMs) {
  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

  public HubSettings {
    endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
  }

  /** Settings for tests and embedding: no token, 10 s timeouts (huggingface_hub's). */
  public static HubSettings of(String endpoint, Path cacheDir, boolean offline) {
    return new HubSettings(endpoint, cacheDir, offline, null, 10_000, 10_000);
  }

  public static HubSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static HubSettings fromEnvironment(Map<String, String> env) {
    String home = System.getProperty("user.home");
    String hfHome = firstSet(env, "HF_HOME");
    if (hfHome == null) {
      String xdg = firstSet(env, "XDG_CACHE_HOME");
      hfHome = Path.of(xdg != null ? xdg : Path.of(home, ".cache").toString(), "huggingface").toString();
    }
    hfHome = expandHome(hfHome, home);
    String cache = firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE");
    Path cacheDir = cache != null ? Path.of(expandHome(cache, home)) : Path.of(hfHome, "hub");
    String offline = firstSet(env, "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE");
    String endpoint = firstSet(env, "HF_ENDPOINT");
    return new HubSettings(endpoint != null ? endpoint : DEFAULT_ENDPOINT, cacheDir,
        offline != null && TRUE.contains(offline.trim().toUpperCase(Locale.ROOT)), token(env, hfHome, home), 10_000, 10_000);
  }

  private static String token(Map<String, String> env, String hfHome, String home) {
    String token = firstSet(env, "HF_TOKEN");
    if (token != null) {
      return token.trim();
    }
    String file = firstSet(env, "HF_TOKEN_PATH");
    Path path = file != null ? Path.of(expandHome(file, home)) : Path.of(hfHome, "token");
    try {
      String stored = Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8).trim() : "";
      return stored.isEmpty() ? null : stored;
    } catch (IOException e) {
      return null; // an unreadable token file means anonymous access, as in huggingface_hub
    }
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String name : names) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  private static String expandHome(String path, String home) {
    return path.equals("~") || path.startsWith("~/") ? home + path.substring(1) : path;
  }

  @Override
  public String toString() { // never print the token
    return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", offline=" + offline + ", token="
        + (token == null ? "none" : "set") + "]";
  }
}
