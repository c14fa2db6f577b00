package dev.exprbert.model;

import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.optim.OptimizerKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RoBERTa, XLM-RoBERTa, DistilBERT, ELECTRA, DeBERTa-v2 and ModernBERT against transformers' own numbers for the same
 * weights and batch ({@code ../shared/fixtures/<family>-parity}: logits, loss, every gradient, the parameters after three AdamW steps),
 * for every attention backend the family supports, packed batches included, and both optimizers; tolerances in
 * {@link ParityChecks}. Each case prints its largest errors.
 */
class FamilyParityTest {
  static final List<String> FIXTURES = List.of("roberta-parity", "xlm-roberta-parity", "distilbert-parity", "electra-parity",
      "deberta-v2-parity", "modernbert-parity");
  /** "fused-packed": the fused backend on the packed batch (padding-free). */
  static final List<String> BACKENDS = List.of("eager", "sdpa", "fused", "fused-packed");

  private static final Map<String, ParityFixture> fixtures = new LinkedHashMap<>();

  @BeforeAll
  static void load() {
    for (String name : FIXTURES) {
      fixtures.put(name, new ParityFixture(name));
    }
  }

  @AfterAll
  static void free() {
    fixtures.values().forEach(ParityFixture::close);
  }

  static Stream<Arguments> fixturesAndBackends() {
    List<Arguments> out = new ArrayList<>();
    for (String fixture : FIXTURES) {
      for (String backend : backendsOf(fixture)) {
        out.add(Arguments.of(fixture, backend));
      }
    }
    return out.stream();
  }

  /**
   * The backends of {@link #BACKENDS} the fixture's family supports (DeBERTa: eager and sdpa); that the others are
   * refused is {@code FamilyBadInputTest}'s.
   */
  static List<String> backendsOf(String fixture) {
    try {
      Set<AttentionImplementation> fits =
          EncoderConfig.read(ParityFixture.ROOT.resolve(fixture).resolve("config.json")).family().attentionImplementations();
      return BACKENDS.stream().filter(b -> fits.contains(AttentionImplementation.parse(b.replace("-packed", "")))).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stream<Arguments> fixturesBackendsAndOptimizers() {
    return fixturesAndBackends().flatMap(a -> Stream.of(OptimizerKind.TORCH_ADAMW, OptimizerKind.FUSED_ADAMW)
        .map(kind -> Arguments.of(a.get()[0], a.get()[1], kind)));
  }

  private static boolean packed(String backend) {
    return backend.endsWith("-packed");
  }

  private static EncoderForTokenClassification model(ParityFixture f, String backend) {
    return ParityChecks.model(f, packed(backend) ? "fused" : backend);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fixturesAndBackends")
  void logitsAndLossMatchTransformers(String fixture, String backend) {
    ParityFixture f = fixtures.get(fixture);
    try (EncoderForTokenClassification model = model(f, backend)) {
      double[] err = ParityChecks.logitsAndLoss(fixture + " " + backend, model, f, packed(backend));
      System.out.printf("parity %s %s: max |logits diff| %.3g, |loss diff| %.3g%n", fixture, backend, err[0], err[1]);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("fixturesAndBackends")
  void everyGradientMatchesTransformers(String fixture, String backend) {
    ParityFixture f = fixtures.get(fixture);
    try (EncoderForTokenClassification model = model(f, backend)) {
      ParityChecks.backward(model, f, packed(backend));
      double worst = ParityChecks.gradients(fixture + " " + backend, model, f);
      System.out.printf("parity %s %s: largest gradient error %.3g of the tensor's max |grad|%n", fixture, backend, worst);
    }
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("fixturesBackendsAndOptimizers")
  void adamWStepsMatchTransformers(String fixture, String backend, OptimizerKind kind) {
    ParityFixture f = fixtures.get(fixture);
    try (EncoderForTokenClassification model = model(f, backend)) {
      double worst = ParityChecks.afterSteps(fixture + " " + backend + " " + kind, model, f, kind, packed(backend));
      System.out.printf("parity %s %s %s: largest |parameter diff| after %d AdamW steps %.3g%n", fixture, backend, kind,
          f.steps(), worst);
    }
  }

  @Test
  void huggingFaceParameterGroupsLeaveTheFixturesNoDecayParametersUndecayed() {
    for (ParityFixture f : fixtures.values()) {
      try (EncoderForTokenClassification model = ParityChecks.model(f, "eager")) {
        ParityChecks.noDecayGroupMatches(model, f);
      }
    }
  }
}
