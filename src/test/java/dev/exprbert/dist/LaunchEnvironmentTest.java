package dev.exprbert.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torchrun's variables: read when complete, refused in one line naming the variable when not. */
class LaunchEnvironmentTest {
  private static Map<String, String> launch(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("MASTER_ADDR", "10.0.0.7", "MASTER_PORT", "29500"));
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] == null) {
        env.remove(pairs[i]);
      } else {
        env.put(pairs[i], pairs[i + 1]);
      }
    }
    return env;
  }

  private static String refused(Map<String, String> env) {
    return assertThrows(LaunchException.class, () -> LaunchEnvironment.read(env)).getMessage();
  }

  @Test
  void readsWhatTorchrunSets() {
    assertEquals(new LaunchEnvironment(3, 4, 1, 2, "10.0.0.7", 29500),
        LaunchEnvironment.read(launch("RANK", "3", "WORLD_SIZE", "4", "LOCAL_RANK", "1", "LOCAL_WORLD_SIZE", "2")));
    assertEquals(new LaunchEnvironment(1, 2, 1, 2, "10.0.0.7", 29500), LaunchEnvironment.read(launch("RANK", "1",
        "WORLD_SIZE", "2")), "one machine without LOCAL_RANK");
    assertNull(LaunchEnvironment.read(Map.of("MASTER_PORT", "29500")), "no RANK and no WORLD_SIZE: a single process");
  }

  @Test
  void refusesIncompleteOrOutOfRangeLaunches() {
    assertTrue(refused(launch("WORLD_SIZE", "2")).startsWith("WORLD_SIZE is 2 but RANK is not set"));
    assertTrue(refused(launch("RANK", "0")).startsWith("RANK is 0 but WORLD_SIZE is not set"));
    assertTrue(refused(launch("RANK", "2", "WORLD_SIZE", "2")).startsWith("RANK 2 is out of range for WORLD_SIZE 2"));
    assertTrue(refused(launch("RANK", "-1", "WORLD_SIZE", "2")).startsWith("RANK -1 is out of range"));
    assertEquals("RANK: expected an integer, found 'one'", refused(launch("RANK", "one", "WORLD_SIZE", "2")));
    assertTrue(refused(launch("RANK", "0", "WORLD_SIZE", "2", "LOCAL_RANK", "2", "LOCAL_WORLD_SIZE", "2"))
        .startsWith("LOCAL_RANK 2 is out of range"));
    assertTrue(refused(launch("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", null)).startsWith("MASTER_ADDR is not set"));
    assertTrue(refused(launch("RANK", "0", "WORLD_SIZE", "2", "MASTER_PORT", null)).startsWith("MASTER_PORT is not set"));
    assertTrue(refused(launch("RANK", "0", "WORLD_SIZE", "2", "MASTER_PORT", "70000")).startsWith("MASTER_PORT must be"));
  }
}
