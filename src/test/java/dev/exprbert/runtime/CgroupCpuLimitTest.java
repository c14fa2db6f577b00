package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupCpuLimitTest {
  @Test
  void cpuMaxIsRoundedUpToWholeCores() {
    assertEquals(OptionalInt.of(2), CgroupCpuLimit.parseCpuMax("200000 100000\n"));
    assertEquals(OptionalInt.of(2), CgroupCpuLimit.parseCpuMax("150000 100000"));
    assertEquals(OptionalInt.of(1), CgroupCpuLimit.parseCpuMax("5000 100000"));
    assertEquals(OptionalInt.empty(), CgroupCpuLimit.parseCpuMax("max 100000"));
  }

  @Test
  void readsTheProcessesOwnGroupThenTheRootThenCgroupV1(@TempDir Path root) throws Exception {
    Path self = root.resolve("self-cgroup");
    Files.writeString(self, "0::/jobs/a\n");
    assertEquals(OptionalInt.empty(), CgroupCpuLimit.cores(root, self));
    Files.createDirectories(root.resolve("jobs/a"));
    Files.writeString(root.resolve("cpu.max"), "800000 100000\n");
    assertEquals(OptionalInt.of(8), CgroupCpuLimit.cores(root, self)); // a container sees its group as the root
    Files.writeString(root.resolve("jobs/a/cpu.max"), "300000 100000\n");
    assertEquals(OptionalInt.of(3), CgroupCpuLimit.cores(root, self));

    Path v1 = root.resolve("v1");
    Files.createDirectories(v1.resolve("cpu"));
    Files.writeString(v1.resolve("cpu/cpu.cfs_quota_us"), "250000\n");
    Files.writeString(v1.resolve("cpu/cpu.cfs_period_us"), "100000\n");
    assertEquals(OptionalInt.of(3), CgroupCpuLimit.cores(v1, v1.resolve("missing")));
    Files.writeString(v1.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
    assertEquals(OptionalInt.empty(), CgroupCpuLimit.cores(v1, v1.resolve("missing")));
  }
}
