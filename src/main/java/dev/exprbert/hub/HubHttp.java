package dev.exprbert.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The three requests of a hub download, with the hub's URL layout and headers:
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{revision}}: the commit ({@code sha}) and the file list
 *       ({@code siblings[].rfilename});
 *   <li>{@code HEAD /{repo}/resolve/{commit}/{file}}: {@code X-Repo-Commit}, the ETag ({@code X-Linked-Etag} first:
 *       for LFS files it is the content's sha256), the size ({@code X-Linked-Size}, else Content-Length) and, for a
 *       redirect to a CDN, its {@code Location};
 *   <li>{@code GET} of that location, with {@code Range: bytes=N-} to resume.
 * </ul>
 * Redirects are followed by hand, as huggingface_hub does: within the hub's host (a renamed repository) they are
 * followed; to another host (a CDN) the HEAD stops, because the metadata is on the redirect itself, and the bearer
 * token is not sent there. Errors carry the hub's {@code X-Error-Code} (RepoNotFound, RevisionNotFound,
 * EntryNotFound, GatedRepo) in their message.
 */
final class HubHttp {
  private static final int MAX_REDIRECTS = 10;
  private static final String USER_AGENT = "exprbert/0.1.0; java/" + System.getProperty("java.version");

  /** What a HEAD of one file says. */
  record FileMetadata(String commit, String etag, Long size, String location) {}

  /** What the revision API says. */
  record RevisionInfo(String commit, List<String> files) {}

  /** A request that got no answer (refused, unknown host, timeout) or a 5xx/429: worth falling back to the cache. */
  static final class Unreachable extends HubException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** An answer with an error status; {@code code} is the hub's X-Error-Code, or null. */
  static final class ErrorResponse extends HubException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ErrorResponse(String message, int status, String code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private final HubSettings settings;

  HubHttp(HubSettings settings) {
    this.settings = settings;
  }

  RevisionInfo revision(RepoRef ref) throws HubException {
    String url = settings.endpoint() + "/api/models/" + encode(ref.repoId(), true) + "/revision/" + encode(ref.revision(), false);
    HttpURLConnection c = followHubRedirects("GET", url);
    try (InputStream in = c.getInputStream()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      JsonObject json = JsonParser.parseString(body).getAsJsonObject();
      if (!json.has("sha") || !json.get("sha").isJsonPrimitive()) {
        throw new HubException(url + " answered without a commit (\"sha\"); expected a Hugging Face Hub API response");
      }
      List<String> files = new ArrayList<>();
      JsonElement siblings = json.get("siblings");
      if (siblings != null && siblings.isJsonArray()) {
        for (JsonElement s : (JsonArray) siblings) {
          files.add(s.getAsJsonObject().get("rfilename").getAsString());
        }
      }
      return new RevisionInfo(json.get("sha").getAsString(), files);
    } catch (IOException e) {
      throw unreachable(url, e);
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
      throw new HubException(url + " did not answer with the hub's revision JSON (sha, siblings[].rfilename): " + e.getMessage(), e);
    } finally {
      c.disconnect();
    }
  }

  FileMetadata metadata(String repoId, String commit, String file) throws HubException {
    String url = settings.endpoint() + "/" + encode(repoId, true) + "/resolve/" + encode(commit, false) + "/" + encode(file, true);
    HttpURLConnection c = followHubRedirects("HEAD", url);
    try {
      String repoCommit = c.getHeaderField("X-Repo-Commit");
      if (repoCommit == null) {
        throw new HubException(url + " answered without an X-Repo-Commit header, so it is not a Hugging Face Hub endpoint;"
            + " check HF_ENDPOINT (" + settings.endpoint() + ")");
      }
      String etag = normalizeEtag(c.getHeaderField("X-Linked-Etag") != null ? c.getHeaderField("X-Linked-Etag")
          : c.getHeaderField("ETag"));
      if (etag == null || etag.isEmpty()) {
        throw new HubException(url + " answered without an ETag, so the file cannot be verified or cached");
      }
      boolean redirect = c.getResponseCode() / 100 == 3;
      String size = c.getHeaderField("X-Linked-Size") != null ? c.getHeaderField("X-Linked-Size")
          : redirect ? null : c.getHeaderField("Content-Length");
      String location = redirect ? resolve(c.getURL().toString(), c.getHeaderField("Location")) : c.getURL().toString();
      return new FileMetadata(repoCommit, etag, size == null ? null : Long.parseLong(size.trim()), location);
    } catch (NumberFormatException e) {
      throw new HubException(url + " sent a size that is not a number: " + e.getMessage(), e);
    } catch (IOException e) {
      throw unreachable(url, e);
    } finally {
      c.disconnect();
    }
  }

  /**
   * Opens a download of {@code url} from byte {@code from}; the caller reads and disconnects. A 200 answer to a
   * ranged request means the server ignored the range (the body starts at byte 0).
   */
  HttpURLConnection openDownload(String url, long from) throws HubException {
    try {
      HttpURLConnection c = open("GET", url);
      if (from > 0) {
        c.setRequestProperty("Range", "bytes=" + from + "-");
      }
      int status = c.getResponseCode();
      if (status == 416 || status == 200 || status == 206) {
        return c;
      }
      throw error(c, url);
    } catch (HubException e) {
      throw e;
    } catch (IOException e) {
      throw unreachable(url, e);
    }
  }

  /** Strips {@code W/} and quotes, as huggingface_hub's {@code _normalize_etag} does. */
  static String normalizeEtag(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    return e.replace("\"", "");
  }

  private HttpURLConnection followHubRedirects(String method, String url) throws HubException {
    String current = url;
    for (int hop = 0; hop < MAX_REDIRECTS; hop++) {
      HttpURLConnection c;
      int status;
      try {
        c = open(method, current);
        status = c.getResponseCode();
      } catch (IOException e) {
        throw unreachable(current, e);
      }
      if (status / 100 == 3 && c.getHeaderField("Location") != null) {
        String target = resolve(current, c.getHeaderField("Location"));
        if (!sameHost(current, target) || method.equals("HEAD") && c.getHeaderField("X-Linked-Etag") != null) {
          return c; // a CDN: the file's metadata is on this very response
        }
        c.disconnect();
        current = target;
        continue;
      }
      if (status >= 400) {
        throw error(c, current);
      }
      return c;
    }
    throw new HubException(url + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private HttpURLConnection open(String method, String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setRequestMethod(method);
    c.setInstanceFollowRedirects(false);
    c.setConnectTimeout(settings.connectTimeoutMs());
    c.setReadTimeout(settings.readTimeoutMs());
    c.setRequestProperty("User-Agent", USER_AGENT);
    c.setRequestProperty("Accept-Encoding", "identity"); // sizes and hashes are of the raw bytes
    if (settings.token() != null && sameHost(settings.endpoint(), url)) {
      c.setRequestProperty("Authorization", "Bearer " + settings.token());
    }
    return c;
  }

  private HubException error(HttpURLConnection c, String url) throws HubException {
    int status;
    try {
      status = c.getResponseCode();
    } catch (IOException e) {
      return unreachable(url, e);
    }
    String code = c.getHeaderField("X-Error-Code");
    String message = c.getHeaderField("X-Error-Message");
    c.disconnect();
    if (status >= 500 || status == 429) {
      return new Unreachable(url + " answered HTTP " + status + (message != null ? " (" + message + ")" : ""), null);
    }
    String why = code == null ? "" : switch (code) {
      case "RepoNotFound" -> ": no such repository, or it is private (set HF_TOKEN)";
      case "GatedRepo" -> ": the repository is gated; accept its terms on the hub and set HF_TOKEN";
      case "RevisionNotFound" -> ": no such revision";
      case "EntryNotFound" -> ": no such file in the repository";
      default -> " (" + code + ")";
    };
    if (code == null && status == 401) {
      why = ": unauthorized (a missing or private repository, or a bad HF_TOKEN)";
    }
    return new ErrorResponse(url + " answered HTTP " + status + why + (message != null ? " - " + message : ""), status, code);
  }

  private static HubException unreachable(String url, IOException e) {
    if (e instanceof HubException h) {
      return h;
    }
    String why = e instanceof ConnectException || e instanceof NoRouteToHostException ? "connection refused"
        : e instanceof UnknownHostException ? "unknown host" : e instanceof SocketTimeoutException ? "timed out" : e.toString();
    return new Unreachable("cannot reach " + url + " (" + why + ")", e);
  }

  static boolean sameHost(String a, String b) {
    try {
      String ha = new URI(a).getHost();
      String hb = new URI(b).getHost();
      return ha != null && ha.equalsIgnoreCase(hb);
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String resolve(String base, String location) {
    return URI.create(base).resolve(location).toString();
  }

  /** RFC 3986 percent-encoding of UTF-8 bytes; {@code keepSlash} leaves path separators (quote(x) vs quote(x, safe="")). */
  static String encode(String text, boolean keepSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char ch = (char) (b & 0xff);
      if (ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || "-._~".indexOf(ch) >= 0
          || keepSlash && ch == '/') {
        out.append(ch);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
