package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LossScaler} is {@code torch.amp.GradScaler}'s update rule ({@code _amp_update_scale_}): an overflowing step
 * halves the scale and restarts the count, {@code growth_interval} clean steps in a row double it, a doubled scale
 * that is not finite is not taken; its state goes into {@code scaler.json} with GradScaler's keys and comes back.
 */
class LossScalerTest {
  @TempDir
  Path tmp;

  @BeforeAll
  static void load() {
    Natives.init();
  }

  @Test
  void defaultsAreGradScalers() {
    try (LossScaler scaler = new LossScaler(Placement.CPU_FLOAT32)) {
      assertEquals(Map.of("scale", 65536.0, "growth_factor", 2.0, "backoff_factor", 0.5, "growth_interval", 2000L,
          "_growth_tracker", 0L), scaler.stateDict());
      assertEquals(1 / 65536f, scaler.invScale().item_float());
    }
  }

  @Test
  void anOverflowHalvesTheScaleAndRestartsTheCount() {
    try (LossScaler scaler = new LossScaler(Placement.CPU_FLOAT32, 1024, 2, 0.5, 3)) {
      updates(scaler, 0, 0);
      assertEquals(2L, scaler.stateDict().get("_growth_tracker"));
      updates(scaler, 1);
      assertEquals(512.0, scaler.stateDict().get("scale"));
      assertEquals(0L, scaler.stateDict().get("_growth_tracker"), "an overflow restarts the count");
      assertEquals(1 / 512f, scaler.invScale().item_float(), "the inverse follows the scale");
      updates(scaler, 1, 1);
      assertEquals(128.0, scaler.stateDict().get("scale"), "every overflowing step halves it again");
      assertTrue(scaler.readAndResetLog().contains("3 overflowing step(s) skipped"), "the log counts them");
      assertTrue(!scaler.readAndResetLog().contains("skipped"), "and the count restarts after a log");
    }
  }

  @Test
  void growthIntervalCleanStepsInARowDoubleTheScale() {
    try (LossScaler scaler = new LossScaler(Placement.CPU_FLOAT32, 1024, 2, 0.5, 3)) {
      updates(scaler, 0, 0);
      assertEquals(1024.0, scaler.stateDict().get("scale"), "two clean steps of three: unchanged");
      updates(scaler, 0);
      assertEquals(2048.0, scaler.stateDict().get("scale"), "the third doubles it");
      assertEquals(0L, scaler.stateDict().get("_growth_tracker"));
      updates(scaler, 0, 0, 1, 0, 0, 0);
      assertEquals(2048.0, scaler.stateDict().get("scale"), "an overflow at 2 of 3 backs off (1024), 3 clean grow it back");
    }
  }

  @Test
  void aDoubledScaleThatIsNotFiniteIsNotTaken() {
    double big = Math.scalb(1.0, 127); // float32's largest power of two: doubling it is inf
    try (LossScaler scaler = new LossScaler(Placement.CPU_FLOAT32, big, 2, 0.5, 1)) {
      updates(scaler, 0);
      assertEquals(big, scaler.stateDict().get("scale"));
      assertEquals(0L, scaler.stateDict().get("_growth_tracker"), "the count restarts all the same");
    }
  }

  @Test
  void updatesStayOnTheDevice() {
    try (LossScaler scaler = new LossScaler(Placement.CPU_FLOAT32); Tensor flag = torch.ones(new long[] {})) {
      long reads = HostReads.count();
      scaler.update(flag);
      scaler.update(flag);
      assertEquals(0, HostReads.count() - reads, "an update reads nothing to the host");
    }
  }

  @Test
  void itsCheckpointFileRestoresTheStateExactly() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("checkpoint-7"));
    try (LossScaler saved = new LossScaler(Placement.CPU_FLOAT32, 65536, 2, 0.5, 2000)) {
      updates(saved, 0, 1, 0, 0, 0);
      saved.part().save(folder);
      try (LossScaler resumed = new LossScaler(Placement.CPU_FLOAT32)) {
        resumed.part().check(folder);
        resumed.part().restore(folder);
        assertEquals(saved.stateDict(), resumed.stateDict());
        assertEquals(Map.of("scale", 32768.0, "growth_factor", 2.0, "backoff_factor", 0.5, "growth_interval", 2000L,
            "_growth_tracker", 3L), resumed.stateDict());
        assertEquals(saved.invScale().item_float(), resumed.invScale().item_float());
      }
    }
    String json = Files.readString(folder.resolve(LossScaler.FILE));
    assertTrue(json.contains("\"_growth_tracker\": 3"), json);
    IllegalArgumentException missing;
    try (LossScaler fresh = new LossScaler(Placement.CPU_FLOAT32)) {
      missing = assertThrows(IllegalArgumentException.class, () -> fresh.part().check(tmp));
    }
    assertTrue(missing.getMessage().contains("holds no scaler.json") && missing.getMessage().contains("without --fp16"),
        missing.getMessage());
  }

  private static void updates(LossScaler scaler, int... overflow) {
    for (int o : overflow) {
      try (Tensor flag = o != 0 ? torch.ones(new long[] {}) : torch.zeros(new long[] {})) {
        scaler.update(flag);
      }
    }
  }
}
