package dev.exprbert.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The CPU quota of this process's cgroup, in whole cores (rounded up): cgroup v2's {@code cpu.max}
 * ({@code "150000 100000"} = 1.5 cores, {@code "max 100000"} = no limit) or cgroup v1's
 * {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}. The JDK's {@code Runtime.availableProcessors()} already takes
 * both the quota and the scheduler affinity into account (container support, on by default since JDK 10); this is read
 * as well so that the thread plan stays within a quota when the JVM runs with {@code -XX:-UseContainerSupport}.
 */
final class CgroupCpuLimit {
  private CgroupCpuLimit() {}

  /** The quota of the process's own cgroup under the usual mount point, or empty when there is none or it is unreadable. */
  static OptionalInt cores() {
    return cores(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"));
  }

  /** The quota found under {@code root} for the cgroup named in {@code selfCgroup} (a /proc/self/cgroup file). */
  static OptionalInt cores(Path root, Path selfCgroup) {
    try {
      String group = "/";
      if (Files.isReadable(selfCgroup)) {
        for (String line : Files.readAllLines(selfCgroup)) {
          if (line.startsWith("0::")) { // cgroup v2: "0::/path"
            group = line.substring(3);
          }
        }
      }
      for (Path dir : List.of(root.resolve(group.substring(1)), root)) { // inside a container the group is the root
        Path max = dir.resolve("cpu.max");
        if (Files.isReadable(max)) {
          return parseCpuMax(Files.readString(max));
        }
      }
      Path v1 = root.resolve("cpu");
      Path quota = v1.resolve("cpu.cfs_quota_us");
      Path period = v1.resolve("cpu.cfs_period_us");
      if (Files.isReadable(quota) && Files.isReadable(period)) {
        return fromQuota(Long.parseLong(Files.readString(quota).strip()), Long.parseLong(Files.readString(period).strip()));
      }
    } catch (IOException | RuntimeException e) { // an unreadable or odd cgroup file means no known limit
      return OptionalInt.empty();
    }
    return OptionalInt.empty();
  }

  /** {@code cpu.max}'s content: {@code "QUOTA PERIOD"} or {@code "max PERIOD"}. */
  static OptionalInt parseCpuMax(String content) {
    String[] parts = content.strip().split("\\s+");
    if (parts.length < 1 || parts[0].equals("max")) {
      return OptionalInt.empty();
    }
    long period = parts.length > 1 ? Long.parseLong(parts[1]) : 100_000;
    return fromQuota(Long.parseLong(parts[0]), period);
  }

  private static OptionalInt fromQuota(long quota, long period) {
    if (quota <= 0 || period <= 0) { // v1 writes -1 for no limit
      return OptionalInt.empty();
    }
    return OptionalInt.of((int) Math.max(1, Math.min(Integer.MAX_VALUE, (quota + period - 1) / period)));
  }
}
