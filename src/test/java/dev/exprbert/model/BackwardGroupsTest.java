package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backward groups a data-parallel step all-reduces as they finish: every parameter is in exactly one group, the
 * layer-wise backward reports the groups in order (classifier, last layer ... first layer, embeddings), and a group is
 * reported when its gradients are final but before the groups below have any (so its all-reduce can overlap their
 * backward); with the eager and the fused attention (whose custom backward steps sit inside a layer).
 */
class BackwardGroupsTest {
  private static ParityFixture fixture;

  @BeforeAll
  static void load() {
    fixture = ParityFixture.tinyBert();
  }

  @AfterAll
  static void free() {
    fixture.close();
  }

  @Test
  void groupsAreReportedInOrderAsSoonAsTheirGradientsAreFinal() {
    for (String backend : List.of("eager", "fused")) {
      CheckpointLoader.Loaded loaded = CheckpointLoader.load(fixture.config(), fixture.weights, Placement.CPU_FLOAT32, 0,
          false, "fixture");
      try (EncoderForTokenClassification model = new EncoderForTokenClassification(fixture.config(), loaded.weights(),
          Placement.CPU_FLOAT32, AttentionBackend.named(backend))) {
        List<List<NamedParameter>> groups = model.backwardGroups();
        assertEquals(fixture.config().numHiddenLayers() + 2, groups.size());
        assertTrue(groups.get(0).get(0).name().startsWith("classifier."), groups.get(0).toString());
        assertTrue(groups.get(1).get(0).name().startsWith("bert.encoder.layer.1."), groups.get(1).toString());
        assertTrue(groups.get(groups.size() - 1).get(0).name().startsWith("bert.embeddings."));
        Set<String> seen = new HashSet<>();
        groups.forEach(g -> g.forEach(p -> assertTrue(seen.add(p.name()), p.name() + " is in two groups")));
        assertEquals(model.weights().asMap().keySet(), seen, "every parameter is in a group");

        List<Integer> order = new ArrayList<>();
        Map<String, float[]> atReport = new LinkedHashMap<>();
        try (EncoderForTokenClassification.ForwardPass pass =
                model.forwardForTraining(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
            Tensor loss = TokenClassificationLoss.mean(pass.logits(), fixture.labels)) {
          pass.backward(loss, g -> {
            order.add(g);
            for (NamedParameter p : groups.get(g)) {
              try (Tensor grad = p.tensor().grad()) {
                assertTrue(grad.defined(), backend + ": " + p.name() + " has no gradient when group " + g + " is reported");
                atReport.put(p.name(), Tensors.toFloatArray(grad));
              }
            }
            if (g + 1 < groups.size()) {
              try (Tensor below = groups.get(g + 1).get(0).tensor().grad()) {
                assertFalse(below.defined(), backend + ": group " + (g + 1) + " already has gradients when " + g
                    + " is reported");
              }
            }
          });
        }
        assertEquals(java.util.stream.IntStream.range(0, groups.size()).boxed().toList(), order, backend);
        for (Map.Entry<String, float[]> e : atReport.entrySet()) {
          try (Tensor grad = model.weights().get(e.getKey()).grad()) {
            assertArrayEquals(Tensors.toFloatArray(grad), e.getValue(), backend + ": " + e.getKey() + " changed after its report");
          }
        }
      }
    }
  }
}
