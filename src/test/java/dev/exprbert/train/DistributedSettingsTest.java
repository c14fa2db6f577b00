package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.dist.DistributedBackend;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code ddp_backend} and {@code ddp_timeout}: Hugging Face's names, defaults and the rule between backend and device. */
class DistributedSettingsTest {
  private static TrainingConfig.Builder base() {
    return TrainingConfig.builder().set("output_dir", Path.of("runs/x"));
  }

  @Test
  void defaultsAreHuggingFaces() {
    TrainingConfig c = base().build();
    assertNull(c.ddpBackend(), "none: nccl on CUDA, gloo on the CPU");
    assertEquals(Duration.ofSeconds(1800), c.ddpTimeoutDuration());
    assertEquals(DistributedBackend.GLOO, DistributedBackend.defaultFor(false));
    assertEquals(DistributedBackend.NCCL, DistributedBackend.defaultFor(true));
  }

  @Test
  void valuesAreCheckedWhenTheConfigIsBuilt() {
    assertEquals(DistributedBackend.GLOO, base().set("ddp_backend", "GLOO").build().ddpBackend());
    assertEquals(60, base().set("ddp-timeout", "60").build().ddpTimeout());
    assertEquals("ddp_backend: expected gloo or nccl, found 'mpi'",
        assertThrows(IllegalArgumentException.class, () -> base().set("ddp_backend", "mpi")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> base().set("ddp_timeout", "0").build());
    String nccl = assertThrows(IllegalArgumentException.class, () -> base().set("ddp_backend", "nccl").build()).getMessage();
    assertTrue(nccl.startsWith("ddp_backend nccl reduces CUDA tensors only, but device is cpu"), nccl);
  }
}
