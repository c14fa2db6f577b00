package dev.exprbert.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests, with the real hub's URL layout and headers:
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{rev}}: {@code {"id", "sha", "siblings": [{"rfilename"}]}};
 *   <li>{@code HEAD|GET /{repo}/resolve/{rev}/{file}}: a regular file answers 200 with {@code ETag: "<git blob sha1>"},
 *       an LFS file ({@code *.safetensors}, {@code *.bin}) 302 to a CDN URL on another host name
 *       ({@code localhost}) with {@code X-Linked-Etag: "<sha256>"} and {@code X-Linked-Size}; both send
 *       {@code X-Repo-Commit};
 *   <li>{@code GET /cdn/{sha256}}: the bytes, honouring {@code Range: bytes=N-} with 206;
 *   <li>errors as the hub sends them: 401 + {@code X-Error-Code: RepoNotFound}, 404 + {@code RevisionNotFound} or
 *       {@code EntryNotFound}.
 * </ul>
 * Faults for the CDN: corrupt the next N bodies (one byte flipped), truncate the next N (half the bytes, then the
 * connection drops), ignore Range. Every request is logged as {@code METHOD path [Range] [auth]}.
 */
final class FakeHub implements AutoCloseable {
  private static final Pattern API = Pattern.compile("^/api/models/(.+)/revision/([^/]+)$");
  private static final Pattern RESOLVE = Pattern.compile("^/(.+?)/resolve/([^/]+)/(.+)$");

  record Commit(String sha, Map<String, byte[]> files) {}

  private final HttpServer server;
  private final Map<String, Map<String, Commit>> commits = new ConcurrentHashMap<>(); // repo -> sha -> commit
  private final Map<String, Map<String, String>> refs = new ConcurrentHashMap<>(); // repo -> ref -> sha
  private final Map<String, byte[]> cdn = new ConcurrentHashMap<>(); // sha256 -> bytes
  final List<String> log = new CopyOnWriteArrayList<>();
  final AtomicInteger corruptNext = new AtomicInteger();
  final AtomicInteger truncateNext = new AtomicInteger();
  volatile boolean ignoreRange;

  FakeHub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Adds a commit with these files; {@code refNames} (branches or tags) now point at it. */
  void commit(String repo, String sha, Map<String, byte[]> files, String... refNames) {
    commits.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(sha, new Commit(sha, new TreeMap<>(files)));
    for (String ref : refNames) {
      refs.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(ref, sha);
    }
    files.forEach((name, bytes) -> {
      if (isLfs(name)) {
        cdn.put(sha256(bytes), bytes);
      }
    });
  }

  List<String> requests(String prefix) {
    return log.stream().filter(l -> l.startsWith(prefix)).toList();
  }

  static boolean isLfs(String file) {
    return file.endsWith(".safetensors") || file.endsWith(".bin");
  }

  static String sha256(byte[] bytes) {
    return hex("SHA-256", null, bytes);
  }

  static String gitBlobId(byte[] bytes) {
    return hex("SHA-1", ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII), bytes);
  }

  private static String hex(String algorithm, byte[] prefix, byte[] bytes) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      if (prefix != null) {
        md.update(prefix);
      }
      return HexFormat.of().formatHex(md.digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String range = ex.getRequestHeaders().getFirst("Range");
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    log.add(ex.getRequestMethod() + " " + path + (range != null ? " " + range : "") + (auth != null ? " auth=" + auth : ""));
    try {
      if (path.startsWith("/cdn/")) {
        cdn(ex, path.substring("/cdn/".length()), range);
        return;
      }
      Matcher api = API.matcher(path);
      if (api.matches()) {
        api(ex, decode(api.group(1)), decode(api.group(2)));
        return;
      }
      Matcher resolve = RESOLVE.matcher(path);
      if (resolve.matches()) {
        resolve(ex, decode(resolve.group(1)), decode(resolve.group(2)), decode(resolve.group(3)));
        return;
      }
      send(ex, 404, null, new Headers());
    } finally {
      ex.close();
    }
  }

  private Commit find(HttpExchange ex, String repo, String revision) throws IOException {
    Map<String, Commit> repoCommits = commits.get(repo);
    if (repoCommits == null) {
      Headers h = new Headers();
      h.add("X-Error-Code", "RepoNotFound");
      h.add("X-Error-Message", "Repository not found");
      send(ex, 401, null, h);
      return null;
    }
    String sha = refs.getOrDefault(repo, Map.of()).getOrDefault(revision, revision);
    Commit commit = repoCommits.get(sha);
    if (commit == null) {
      Headers h = new Headers();
      h.add("X-Error-Code", "RevisionNotFound");
      h.add("X-Error-Message", "Invalid rev id: " + revision);
      send(ex, 404, null, h);
    }
    return commit;
  }

  private void api(HttpExchange ex, String repo, String revision) throws IOException {
    Commit commit = find(ex, repo, revision);
    if (commit == null) {
      return;
    }
    JsonObject json = new JsonObject();
    json.addProperty("id", repo);
    json.addProperty("sha", commit.sha());
    JsonArray siblings = new JsonArray();
    for (String file : commit.files().keySet()) {
      JsonObject s = new JsonObject();
      s.addProperty("rfilename", file);
      siblings.add(s);
    }
    json.add("siblings", siblings);
    Headers h = new Headers();
    h.add("Content-Type", "application/json");
    send(ex, 200, json.toString().getBytes(StandardCharsets.UTF_8), h);
  }

  private void resolve(HttpExchange ex, String repo, String revision, String file) throws IOException {
    Commit commit = find(ex, repo, revision);
    if (commit == null) {
      return;
    }
    Headers h = new Headers();
    h.add("X-Repo-Commit", commit.sha());
    byte[] bytes = commit.files().get(file);
    if (bytes == null) {
      h.add("X-Error-Code", "EntryNotFound");
      h.add("X-Error-Message", "Entry not found");
      send(ex, 404, null, h);
      return;
    }
    if (isLfs(file)) {
      String sha = sha256(bytes);
      h.add("ETag", "\"" + gitBlobId(("version https://git-lfs.github.com/spec/v1\noid sha256:" + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
      h.add("X-Linked-Etag", "\"" + sha + "\"");
      h.add("X-Linked-Size", Long.toString(bytes.length));
      h.add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + sha + "?X-Amz-Signature=fake");
      send(ex, 302, null, h);
      return;
    }
    h.add("ETag", "\"" + gitBlobId(bytes) + "\"");
    send(ex, 200, bytes, h);
  }

  private void cdn(HttpExchange ex, String sha, String range) throws IOException {
    byte[] bytes = cdn.get(sha);
    if (bytes == null) {
      send(ex, 404, null, new Headers());
      return;
    }
    int from = 0;
    if (range != null && !ignoreRange) {
      Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
      if (!m.matches()) {
        send(ex, 400, null, new Headers());
        return;
      }
      from = Integer.parseInt(m.group(1));
      if (from >= bytes.length) {
        Headers h = new Headers();
        h.add("Content-Range", "bytes */" + bytes.length);
        send(ex, 416, null, h);
        return;
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(bytes, from, bytes.length);
    if (corruptNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      body[body.length / 2] ^= 0x5a;
    }
    Headers h = ex.getResponseHeaders();
    int status = 200;
    if (from > 0) {
      status = 206;
      h.add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    if (truncateNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      ex.sendResponseHeaders(status, body.length);
      OutputStream out = ex.getResponseBody();
      out.write(body, 0, body.length / 2);
      out.flush();
      // closing now, short of Content-Length, drops the connection: the client sees a cut-off body
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  private static void send(HttpExchange ex, int status, byte[] body, Headers headers) throws IOException {
    ex.getResponseHeaders().putAll(headers);
    boolean head = ex.getRequestMethod().equals("HEAD");
    if (body != null && head) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
    }
    ex.sendResponseHeaders(status, body == null || head ? -1 : body.length);
    if (body != null && !head) {
      ex.getResponseBody().write(body);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
