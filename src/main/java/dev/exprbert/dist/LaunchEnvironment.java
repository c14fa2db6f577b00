package dev.exprbert.dist;

import java.util.Map;

/**
 * Where this process stands in a distributed run, from torchrun's environment variables (what {@code torchrun},
 * {@code exprbert launch}, Kubeflow's PyTorchJob and Slurm or mpirun wrappers set): {@code RANK}, {@code WORLD_SIZE},
 * {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}. Rank 0 hosts the
 * rendezvous store on {@code MASTER_PORT}; every other rank connects to {@code MASTER_ADDR:MASTER_PORT}.
 * {@code LOCAL_RANK} picks the GPU ({@code cuda:LOCAL_RANK}); without it a single machine is assumed
 * ({@code LOCAL_RANK = RANK}, {@code LOCAL_WORLD_SIZE = WORLD_SIZE}). {@code MASTER_ADDR} and {@code MASTER_PORT} are
 * required, as torch's {@code env://} initialisation requires them.
 */
public record LaunchEnvironment(int rank, int worldSize, int localRank, int localWorldSize, String masterAddr,
    int masterPort) {

  public LaunchEnvironment {
    if (worldSize < 1) {
      throw new LaunchException("WORLD_SIZE must be at least 1, found " + worldSize);
    }
    if (rank < 0 || rank >= worldSize) {
      throw new LaunchException("RANK " + rank + " is out of range for WORLD_SIZE " + worldSize + " (ranks are 0.."
          + (worldSize - 1) + ")");
    }
    if (localWorldSize < 1 || localWorldSize > worldSize) {
      throw new LaunchException("LOCAL_WORLD_SIZE must be between 1 and WORLD_SIZE " + worldSize + ", found " + localWorldSize);
    }
    if (localRank < 0 || localRank >= localWorldSize) {
      throw new LaunchException("LOCAL_RANK " + localRank + " is out of range for LOCAL_WORLD_SIZE " + localWorldSize
          + " (local ranks are 0.." + (localWorldSize - 1) + ")");
    }
    if (masterAddr == null || masterAddr.isBlank()) {
      throw new LaunchException("MASTER_ADDR is not set: the address of the machine running rank 0");
    }
    if (masterPort < 1 || masterPort > 65535) {
      throw new LaunchException("MASTER_PORT must be a TCP port (1..65535), found " + masterPort);
    }
  }

  /**
   * The launch this environment describes, or null when it describes none (neither {@code RANK} nor
   * {@code WORLD_SIZE} set: a single process).
   *
   * @throws LaunchException naming the variable that is missing, malformed or out of range
   */
  public static LaunchEnvironment read(Map<String, String> env) {
    String rank = env.get("RANK");
    String world = env.get("WORLD_SIZE");
    if (rank == null && world == null) {
      return null;
    }
    if (rank == null) {
      throw new LaunchException("WORLD_SIZE is " + world + " but RANK is not set: every process of a distributed run"
          + " needs its RANK (0..WORLD_SIZE-1); start the ranks with exprbert launch or torchrun");
    }
    if (world == null) {
      throw new LaunchException("RANK is " + rank + " but WORLD_SIZE is not set: every process of a distributed run"
          + " needs WORLD_SIZE; start the ranks with exprbert launch or torchrun");
    }
    int r = integer(env, "RANK");
    int w = integer(env, "WORLD_SIZE");
    int localRank = env.containsKey("LOCAL_RANK") ? integer(env, "LOCAL_RANK") : r;
    int localWorld = env.containsKey("LOCAL_WORLD_SIZE") ? integer(env, "LOCAL_WORLD_SIZE") : w;
    if (env.get("MASTER_PORT") == null) {
      throw new LaunchException("MASTER_PORT is not set: the port rank 0's rendezvous store listens on");
    }
    return new LaunchEnvironment(r, w, localRank, localWorld, env.get("MASTER_ADDR"), integer(env, "MASTER_PORT"));
  }

  private static int integer(Map<String, String> env, String name) {
    String text = env.get(name);
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new LaunchException(name + ": expected an integer, found '" + text + "'");
    }
  }
}
