package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel shards: for every dataset size, the ranks' batches of a step, rank 0's first, are exactly the batch
 * of one process with {@code batch x world} features (shuffled, length-grouped, the short last one included), and
 * every rank has the same number of batches.
 */
class BatcherShardTest {
  @Test
  void theRanksBatchesOfAStepAreOneProcessBatchWithTheGlobalSize() {
    for (boolean groupByLength : new boolean[] {false, true}) {
      for (int n : new int[] {1, 5, 16, 17, 23, 101, 450}) {
        for (int world : new int[] {2, 3}) {
          List<Feature> fs = BatcherTest.features(n);
          int batch = 4;
          List<List<Feature>> single = new Batcher(fs, batch * world, true, groupByLength, 7).epoch(3);
          List<List<List<Feature>>> ranks = new ArrayList<>();
          for (int r = 0; r < world; r++) {
            Batcher sharded = new Batcher(fs, batch, true, groupByLength, 7, r, world);
            assertEquals(single.size(), sharded.batchesPerEpoch(), "batches per epoch, n " + n + " world " + world);
            assertEquals(batch * world, sharded.globalBatchSize());
            ranks.add(sharded.epoch(3));
          }
          for (int k = 0; k < single.size(); k++) {
            List<Feature> joined = new ArrayList<>();
            for (List<List<Feature>> rank : ranks) {
              assertTrue(rank.get(k).size() <= batch);
              joined.addAll(rank.get(k));
            }
            assertEquals(single.get(k), joined, "step " + k + ", n " + n + ", world " + world + ", group " + groupByLength);
          }
        }
      }
    }
  }

  @Test
  void aShortLastBatchLeavesLaterRanksFewerOrNoFeatures() {
    List<Feature> fs = BatcherTest.features(9); // batch 4 x 2 ranks: one full global batch, then one feature
    List<List<Feature>> rank0 = new Batcher(fs, 4, false, false, 0, 0, 2).epoch(0);
    List<List<Feature>> rank1 = new Batcher(fs, 4, false, false, 0, 1, 2).epoch(0);
    assertEquals(List.of(4, 1), rank0.stream().map(List::size).toList());
    assertEquals(List.of(4, 0), rank1.stream().map(List::size).toList());
    assertEquals(8, rank0.get(1).get(0).sentenceIndex());
  }

  @Test
  void computedTokensAreThoseOfTheBuiltBatch() {
    Natives.init();
    List<Feature> fs = BatcherTest.features(7);
    for (BatchLayout layout : BatchLayout.values()) {
      try (ModelBatch built = layout.batchOf(fs, 0)) {
        assertEquals(built.computedTokens(), layout.computedTokens(fs), layout.toString());
      }
      assertEquals(0, layout.computedTokens(List.of()));
    }
  }
}
