package dev.exprbert.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One component's share of a {@code checkpoint-N/}: each component that has state a resumed run needs writes and
 * restores its own, and nothing reads another's fields. {@link Checkpointer} writes the parts in order (the last
 * one's file marks the checkpoint complete) and, on resume, runs every {@link #check} before any {@link #restore},
 * so a checkpoint that does not fit the run is refused before anything changes. In a data-parallel run only rank 0
 * saves; every rank checks and restores.
 */
interface CheckpointPart {
  /** The file this part writes (the main one, when it writes several); the test write hook sees it first. */
  String file();

  /**
   * Called on every rank of a data-parallel run before rank 0 saves: a part whose state differs between the ranks
   * (the RNG) collects it here, since only rank 0 calls {@link #save}.
   */
  default void gather() {}

  void save(Path folder) throws IOException;

  /** Fails, naming the checkpoint and what differs, when the checkpoint cannot resume this run. */
  default void check(Path checkpoint) throws IOException {}

  default void restore(Path checkpoint) throws IOException {}
}
