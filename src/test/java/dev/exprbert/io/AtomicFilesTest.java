package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aFailedWriteNamesTheFileAndLeavesTheOldFileAndNoTemporary() throws IOException {
    Path target = dir.resolve("config.json");
    AtomicFiles.writeString(target, "old");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, channel -> {
      channel.write(ByteBuffer.wrap("half of the new".getBytes()));
      throw new IOException("No space left on device"); // what a full disk says, naming no file
    }));
    assertEquals("while writing " + target + ": No space left on device", e.getMessage(), "the file is named");
    assertEquals("old", Files.readString(target));
    try (var listing = Files.list(dir)) {
      assertEquals(List.of(target), listing.toList());
    }
  }

  @Test
  void writesNewContent() throws IOException {
    Path target = dir.resolve("a.txt");
    AtomicFiles.writeString(target, "one");
    AtomicFiles.writeString(target, "two");
    assertEquals("two", Files.readString(target));
  }

  @Test
  void missingFolderIsNamed() {
    Path target = dir.resolve("nope/a.txt");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "x"));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }
}
