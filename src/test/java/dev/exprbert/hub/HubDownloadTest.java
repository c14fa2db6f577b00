package dev.exprbert.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Download by name against a hub served by the test: fresh, cached, pinned, corrupt, truncated, missing, offline. */
class HubDownloadTest {
  static final String REPO = "acme/tiny-ner";
  static final String V1 = "1111111111111111111111111111111111111111";
  static final String V2 = "2222222222222222222222222222222222222222";

  @TempDir Path tmp;
  private FakeHub hub;
  private Path cache;
  private Map<String, byte[]> v1;
  private Map<String, byte[]> v2;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
    cache = tmp.resolve("hf-cache");
    v1 = files(TinyModelDirectory.create(tmp.resolve("model")));
    v2 = new LinkedHashMap<>(v1);
    v2.put("config.json", new String(v1.get("config.json"), StandardCharsets.UTF_8)
        .replace("\"O\"", "\"OUTSIDE\"").getBytes(StandardCharsets.UTF_8));
    byte[] weights = v1.get("model.safetensors").clone();
    weights[weights.length - 1] ^= 1; // another last weight
    v2.put("model.safetensors", weights);
    v2.put("README.md", "# model card\n".getBytes(StandardCharsets.UTF_8));
    hub.commit(REPO, V1, v1, "v1");
    hub.commit(REPO, V2, v2, "main");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private HubSettings online() {
    return HubSettings.of(hub.endpoint(), cache, false);
  }

  private HubSettings offline() {
    return HubSettings.of(hub.endpoint(), cache, true);
  }

  private static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.sorted().toList()) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  private Path repoFolder() {
    return cache.resolve("models--acme--tiny-ner");
  }

  @Test
  void aFreshDownloadFillsTheCacheAsHuggingfaceHubDoes() throws Exception {
    Path dir = ModelResolver.resolve(REPO, online());
    assertEquals(repoFolder().resolve("snapshots").resolve(V2), dir);
    assertEquals(V2, Files.readString(repoFolder().resolve("refs/main")), "refs/main holds the commit, no newline");
    for (String file : List.of("config.json", "model.safetensors", "vocab.txt")) {
      Path pointer = dir.resolve(file);
      assertTrue(Files.isSymbolicLink(pointer), file + " is a link into blobs/");
      String etag = FakeHub.isLfs(file) ? FakeHub.sha256(v2.get(file)) : FakeHub.gitBlobId(v2.get(file));
      assertEquals(Path.of("..", "..", "blobs", etag), Files.readSymbolicLink(pointer), file);
      assertArrayEquals(v2.get(file), Files.readAllBytes(pointer), file);
    }
    assertFalse(Files.exists(dir.resolve("README.md")), "only the files a model directory needs");
    try (Stream<Path> blobs = Files.list(repoFolder().resolve("blobs"))) {
      assertTrue(blobs.noneMatch(b -> b.toString().endsWith(".incomplete")));
    }
    assertTrue(hub.requests("GET /cdn/").size() == 1 && hub.requests("HEAD /acme/tiny-ner/resolve/" + V2).size() == 3,
        hub.log.toString());
    try (TokenClassifier model = TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager")) {
      assertEquals("OUTSIDE", model.config().labels().get(0), "the model loads from the snapshot: main's labels");
    }
  }

  @Test
  void aCachedModelIsVerifiedAndNotDownloadedAgain() throws Exception {
    Path first = ModelResolver.resolve(REPO, online());
    hub.log.clear();
    Path second = ModelResolver.resolve(REPO, online());
    assertEquals(first, second);
    assertEquals(List.of("GET /api/models/acme/tiny-ner/revision/main"), hub.log, "one API call, no HEAD, no download");
    hub.log.clear();
    assertEquals(first, ModelResolver.resolve(REPO + "@" + V2, online()));
    assertEquals(List.of(), hub.log, "a full commit hash with a complete snapshot needs no request");
  }

  @Test
  void aRevisionPinsTheFiles() throws Exception {
    Path pinned = ModelResolver.resolve(REPO + "@" + V1, online());
    assertEquals(repoFolder().resolve("snapshots").resolve(V1), pinned);
    assertArrayEquals(v1.get("model.safetensors"), Files.readAllBytes(pinned.resolve("model.safetensors")));
    assertFalse(Files.exists(repoFolder().resolve("refs").resolve(V1)), "a commit hash needs no ref");
    Path tagged = ModelResolver.resolve(REPO + "@v1", online());
    assertEquals(pinned, tagged);
    assertEquals(V1, Files.readString(repoFolder().resolve("refs/v1")));
    Path main = ModelResolver.resolve(REPO, online());
    assertArrayEquals(v2.get("model.safetensors"), Files.readAllBytes(main.resolve("model.safetensors")));
    assertEquals(2, hub.requests("GET /cdn/").size(), "two different weight files, each downloaded once");
    HubException missing = assertThrows(HubException.class, () -> ModelResolver.resolve(REPO + "@v3", online()));
    assertTrue(missing.getMessage().contains("acme/tiny-ner@v3") && missing.getMessage().contains("no such revision"),
        missing.getMessage());
  }

  @Test
  void aCorruptDownloadIsRefusedAndDownloadedAgain() throws Exception {
    hub.corruptNext.set(1);
    Path dir = ModelResolver.resolve(REPO, online());
    assertArrayEquals(v2.get("model.safetensors"), Files.readAllBytes(dir.resolve("model.safetensors")));
    assertEquals(2, hub.requests("GET /cdn/").size(), hub.log.toString());
  }

  @Test
  void aDownloadCorruptTwiceIsAnErrorAndLeavesNoBlob() throws Exception {
    hub.corruptNext.set(2);
    HubException e = assertThrows(HubException.class, () -> ModelResolver.resolve(REPO, online()));
    String sha = FakeHub.sha256(v2.get("model.safetensors"));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("expected " + sha)
        && e.getMessage().contains("twice"), e.getMessage());
    assertFalse(Files.exists(repoFolder().resolve("blobs").resolve(sha)));
    assertFalse(Files.exists(repoFolder().resolve("refs/main")), "no ref to a snapshot that was never completed");
    assertEquals(repoFolder().resolve("snapshots").resolve(V2), ModelResolver.resolve(REPO, online()), "the next run succeeds");
  }

  @Test
  void aTruncatedDownloadResumesWithARange() throws Exception {
    hub.truncateNext.set(1);
    Path dir = ModelResolver.resolve(REPO, online());
    byte[] expected = v2.get("model.safetensors");
    assertArrayEquals(expected, Files.readAllBytes(dir.resolve("model.safetensors")));
    List<String> downloads = hub.requests("GET /cdn/");
    assertEquals(2, downloads.size(), downloads.toString());
    assertTrue(downloads.get(1).contains("bytes=" + expected.length / 2 + "-"), "resumed where the cut was: " + downloads);
  }

  @Test
  void aPartialFileFromAnEarlierRunIsResumed() throws Exception {
    byte[] expected = v2.get("model.safetensors");
    String sha = FakeHub.sha256(expected);
    Path incomplete = repoFolder().resolve("blobs").resolve(sha + ".incomplete");
    Files.createDirectories(incomplete.getParent());
    Files.write(incomplete, java.util.Arrays.copyOf(expected, 1000));
    Path dir = ModelResolver.resolve(REPO, online());
    assertArrayEquals(expected, Files.readAllBytes(dir.resolve("model.safetensors")));
    assertEquals(1, hub.requests("GET /cdn/" + sha + " bytes=1000-").size(), hub.log.toString());

    Path other = tmp.resolve("other-cache");
    Path otherIncomplete = other.resolve("models--acme--tiny-ner/blobs").resolve(sha + ".incomplete");
    Files.createDirectories(otherIncomplete.getParent());
    Files.write(otherIncomplete, new byte[1000]); // not a prefix of the file, and the server ignores the range
    hub.ignoreRange = true;
    Path again = ModelResolver.resolve(REPO, HubSettings.of(hub.endpoint(), other, false));
    assertArrayEquals(expected, Files.readAllBytes(again.resolve("model.safetensors")), "restarted from byte 0");
  }

  @Test
  void aCorruptCachedBlobIsDownloadedAgainOnlineAndRefusedOffline() throws Exception {
    Path dir = ModelResolver.resolve(REPO, online());
    Path blob = dir.resolve("model.safetensors").toRealPath();
    byte[] damaged = Files.readAllBytes(blob);
    damaged[100] ^= 0x7f;
    Files.write(blob, damaged);
    HubException offlineError = assertThrows(HubException.class, () -> ModelResolver.resolve(REPO, offline()));
    assertTrue(offlineError.getMessage().contains("model.safetensors") && offlineError.getMessage().contains("sha256"),
        offlineError.getMessage());
    hub.log.clear();
    Path repaired = ModelResolver.resolve(REPO, online());
    assertArrayEquals(v2.get("model.safetensors"), Files.readAllBytes(repaired.resolve("model.safetensors")));
    assertEquals(1, hub.requests("GET /cdn/").size(), hub.log.toString());
  }

  @Test
  void offlineUsesTheCacheOnlyAndSaysWhatIsMissing() throws Exception {
    HubException none = assertThrows(HubException.class, () -> ModelResolver.resolve(REPO, offline()));
    assertTrue(none.getMessage().contains("HF_HUB_OFFLINE") && none.getMessage().contains(repoFolder().toString()),
        none.getMessage());
    assertEquals(List.of(), hub.log, "offline: not one request");
    Path online = ModelResolver.resolve(REPO, online());
    hub.log.clear();
    assertEquals(online, ModelResolver.resolve(REPO, offline()));
    assertEquals(List.of(), hub.log);
    HubException otherRevision = assertThrows(HubException.class, () -> ModelResolver.resolve(REPO + "@v1", offline()));
    assertTrue(otherRevision.getMessage().contains("acme/tiny-ner@v1"), otherRevision.getMessage());
  }

  @Test
  void anUnreachableHubFallsBackToTheCache() throws Exception {
    Path online = ModelResolver.resolve(REPO, online());
    String deadEndpoint = hub.endpoint();
    hub.close();
    assertEquals(online, ModelResolver.resolve(REPO, HubSettings.of(deadEndpoint, cache, false)));
    HubException e = assertThrows(HubException.class,
        () -> ModelResolver.resolve(REPO + "@v1", HubSettings.of(deadEndpoint, cache, false)));
    assertTrue(e.getMessage().contains("cannot reach") && e.getMessage().contains("acme/tiny-ner@v1"), e.getMessage());
  }

  @Test
  void repositoriesWithoutAModelOrTokenizerAreNamed() throws Exception {
    Map<String, byte[]> noTokenizer = new LinkedHashMap<>(v1);
    noTokenizer.remove("vocab.txt");
    hub.commit("acme/no-tokenizer", V1, noTokenizer, "main");
    HubException e = assertThrows(HubException.class, () -> ModelResolver.resolve("acme/no-tokenizer", online()));
    assertTrue(e.getMessage().contains("acme/no-tokenizer") && e.getMessage().contains("tokenizer.json or vocab.txt"),
        e.getMessage());
    Map<String, byte[]> sharded = new LinkedHashMap<>(v1);
    sharded.remove("model.safetensors");
    sharded.put("model.safetensors.index.json", "{}".getBytes(StandardCharsets.UTF_8));
    hub.commit("acme/sharded", V1, sharded, "main");
    e = assertThrows(HubException.class, () -> ModelResolver.resolve("acme/sharded", online()));
    assertTrue(e.getMessage().contains("sharded"), e.getMessage());
    e = assertThrows(HubException.class, () -> ModelResolver.resolve("acme/absent", online()));
    assertTrue(e.getMessage().contains("acme/absent") && e.getMessage().contains("401")
        && e.getMessage().contains("no such repository"), e.getMessage());
  }

  @Test
  void theTokenGoesToTheHubButNotToTheCdn() throws Exception {
    ModelResolver.resolve(REPO, new HubSettings(hub.endpoint(), cache, false, "hf_test", 5_000, 5_000));
    assertTrue(hub.requests("GET /api/").stream().allMatch(l -> l.endsWith("auth=Bearer hf_test")), hub.log.toString());
    assertTrue(hub.requests("HEAD ").stream().allMatch(l -> l.endsWith("auth=Bearer hf_test")), hub.log.toString());
    assertTrue(hub.requests("GET /cdn/").stream().noneMatch(l -> l.contains("auth=")), hub.log.toString());
  }

  @Test
  void localPathsAndUnparsableNamesNeverReachTheHub() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("local"));
    assertEquals(model, ModelResolver.resolve(model.toString(), online()));
    assertEquals(Path.of("runs/quickstart/model"), ModelResolver.resolve("runs/quickstart/model", online()),
        "three parts cannot be a repository: returned for the caller to report");
    assertEquals(Path.of("../shared/none"), ModelResolver.resolve("../shared/none", online()));
    assertEquals(List.of(), hub.log);
  }
}
