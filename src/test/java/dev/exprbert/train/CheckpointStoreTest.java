package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash-safe checkpoint folders: what counts as a checkpoint, failed saves, rotation. */
class CheckpointStoreTest {
  @TempDir
  Path out;

  private static void complete(Path folder) throws IOException {
    Files.writeString(folder.resolve("model.safetensors"), "weights");
    Files.writeString(folder.resolve(CheckpointStore.MARKER), "{}");
  }

  @Test
  void onlyFoldersWithTheMarkerWrittenLastAreCheckpoints() throws IOException {
    CheckpointStore store = new CheckpointStore(out);
    store.save(10, CheckpointStoreTest::complete);
    store.save(2, CheckpointStoreTest::complete);
    Files.createDirectories(out.resolve("checkpoint-30")); // copied by hand, no trainer_state.json
    Files.createDirectories(out.resolve("checkpoint-40.tmp-abc123")); // a crashed save
    assertEquals(List.of(out.resolve("checkpoint-2"), out.resolve("checkpoint-10")), store.list());
    assertEquals(out.resolve("checkpoint-10"), store.latest().orElseThrow());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointStore.requireComplete(out.resolve("checkpoint-30")));
    assertTrue(e.getMessage().contains("not a complete checkpoint"), e.getMessage());
    Files.createDirectories(out.resolve("checkpoint-50.deleting-0f0f")); // a crashed delete
    assertEquals(List.of("checkpoint-40.tmp-abc123", "checkpoint-50.deleting-0f0f"),
        store.incompleteFolders().stream().sorted().toList());
    assertEquals(List.of("checkpoint-10", "checkpoint-2", "checkpoint-30"), store.checkpointFolderNames(),
        "leftovers of a save or delete are not checkpoint folders");
    store.removeIncompleteFolders();
    assertFalse(Files.exists(out.resolve("checkpoint-40.tmp-abc123")));
    assertFalse(Files.exists(out.resolve("checkpoint-50.deleting-0f0f")));
    assertTrue(Files.exists(out.resolve("checkpoint-30")), "only the leftovers of our saves and deletes are removed");
  }

  @Test
  void aSaveThatFailsMidwayLeavesNoFolderAndEarlierCheckpointsIntact() throws IOException {
    CheckpointStore store = new CheckpointStore(out);
    store.save(5, CheckpointStoreTest::complete);
    IOException e = assertThrows(IOException.class, () -> store.save(10, folder -> {
      Files.writeString(folder.resolve("model.safetensors"), "half");
      throw new IOException("No space left on device");
    }));
    assertEquals("No space left on device", e.getMessage());
    try (Stream<Path> entries = Files.list(out)) {
      assertEquals(List.of(out.resolve("checkpoint-5")), entries.toList(), "the temporary folder is removed");
    }
    assertEquals("weights", Files.readString(out.resolve("checkpoint-5").resolve("model.safetensors")));
  }

  @Test
  void aWriterThatForgetsTheMarkerIsRefused() {
    CheckpointStore store = new CheckpointStore(out);
    assertThrows(IllegalStateException.class, () -> store.save(1, folder -> Files.writeString(folder.resolve("x"), "")));
    assertFalse(Files.exists(out.resolve("checkpoint-1")));
  }

  /**
   * A delete that stops part-way (a crash, a kill, an I/O error) never leaves a {@code checkpoint-N} with some of its
   * files: the folder leaves its name in one rename before any file goes.
   */
  @Test
  void aRotationInterruptedMidDeleteLeavesOnlyADeletingFolder() throws IOException {
    CheckpointStore store = new CheckpointStore(out);
    for (long step : new long[] {1, 2}) {
      store.save(step, CheckpointStoreTest::complete);
    }
    int[] deleted = {0};
    store.onDelete(file -> {
      if (++deleted[0] == 2) {
        throw new IOException("interrupted after one file");
      }
    });
    assertThrows(IOException.class, () -> store.rotate(1, null));
    assertFalse(Files.exists(out.resolve("checkpoint-1")), "checkpoint-1 left its name before its files went");
    List<String> leftovers = store.incompleteFolders();
    assertEquals(1, leftovers.size(), leftovers.toString());
    assertTrue(leftovers.get(0).startsWith("checkpoint-1.deleting-"), leftovers.toString());
    try (Stream<Path> files = Files.list(out.resolve(leftovers.get(0)))) {
      assertEquals(1, files.count(), "one of the two files was deleted before the interruption");
    }
    assertEquals(List.of(out.resolve("checkpoint-2")), store.list());
    store.onDelete(file -> {});
    assertEquals(leftovers, store.removeIncompleteFolders());
    try (Stream<Path> entries = Files.list(out)) {
      assertEquals(List.of(out.resolve("checkpoint-2")), entries.toList());
    }
  }

  @Test
  void rotationKeepsTheNewestAndTheBest() throws IOException {
    CheckpointStore store = new CheckpointStore(out);
    for (long step : new long[] {1, 2, 3, 4}) {
      store.save(step, CheckpointStoreTest::complete);
    }
    List<Path> deleted = store.rotate(1, out.resolve("checkpoint-2"));
    assertEquals(List.of(out.resolve("checkpoint-1"), out.resolve("checkpoint-3")), deleted);
    assertEquals(List.of(out.resolve("checkpoint-2"), out.resolve("checkpoint-4")), store.list());
    store.rotate(1, null);
    assertEquals(List.of(out.resolve("checkpoint-4")), store.list());
  }
}
