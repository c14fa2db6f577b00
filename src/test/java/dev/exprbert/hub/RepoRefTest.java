package dev.exprbert.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RepoRefTest {
  @Test
  void parsesNamesAndRevisions() {
    assertEquals(Optional.of(new RepoRef("org/name", "main")), RepoRef.parse("org/name"));
    assertEquals(Optional.of(new RepoRef("bert-base-cased", "main")), RepoRef.parse("bert-base-cased"));
    assertEquals(Optional.of(new RepoRef("org/name", "v1.0")), RepoRef.parse("org/name@v1.0"));
    assertEquals(Optional.of(new RepoRef("org/name", "refs/pr/3")), RepoRef.parse("org/name@refs/pr/3"));
    assertTrue(RepoRef.parse("org/name@0123456789abcdef0123456789abcdef01234567").orElseThrow().isCommit());
    assertFalse(RepoRef.parse("org/name@main").orElseThrow().isCommit());
    assertEquals("models--org--name", RepoRef.parse("org/name").orElseThrow().cacheFolderName());
  }

  @Test
  void pathsAndInvalidIdsAreNotRepositories() {
    for (String s : new String[] {"/abs/path", "./rel", "../up", "a/b/c", "org/na--me", "org/..", "-org/name", "org/name.",
        "org/name.git", "org/name@", "org/name@../x", "~/model", "org/ná", ""}) {
      assertEquals(Optional.empty(), RepoRef.parse(s), s);
    }
  }

  @Test
  void settingsFollowHuggingfaceHubsEnvironment(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    HubSettings plain = HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.toString()));
    assertEquals(HubSettings.DEFAULT_ENDPOINT, plain.endpoint());
    assertEquals(tmp.resolve("hub"), plain.cacheDir());
    assertFalse(plain.offline());
    assertEquals(null, plain.token());
    java.nio.file.Files.writeString(tmp.resolve("token"), "hf_stored\n");
    assertEquals("hf_stored", HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.toString())).token());
    HubSettings set = HubSettings.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_HUB_CACHE", "/c",
        "HF_ENDPOINT", "http://mirror:8080/", "HF_HUB_OFFLINE", "yes", "HF_TOKEN", "hf_env"));
    assertEquals("http://mirror:8080", set.endpoint());
    assertEquals(Path.of("/c"), set.cacheDir());
    assertTrue(set.offline());
    assertEquals("hf_env", set.token());
    assertFalse(set.toString().contains("hf_env"), "the token is never printed");
    assertTrue(HubSettings.fromEnvironment(Map.of("HF_HOME", "/h", "TRANSFORMERS_OFFLINE", "1")).offline());
    assertEquals(Path.of("/x/huggingface/hub"), HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x")).cacheDir());
  }
}
