package dev.exprbert.metrics;

import static dev.exprbert.metrics.Tags.sentence;
import static dev.exprbert.metrics.Tags.sentences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming accumulator and token accuracy over labelled positions. */
class StreamingTest {
  /* Asking for results midway must not end the default-mode stream: the gold side B-PER | I-PER
   * is PER(0,0-1) and PER(1,0-1) either way. */
  @Test
  void resultsMidwayDoNotDisturbTheStream() {
    SeqevalAccumulator acc = new SeqevalAccumulator(Mode.DEFAULT);
    acc.add(sentence("O B-PER I-PER"), sentence("O B-PER I-PER"));
    assertEquals(1.0, acc.f1(Average.MICRO, ZeroDivision.WARN));
    acc.add(sentence("I-PER O"), sentence("O O"));
    assertEquals(
        List.of(new Entity("PER", 0, 1, 3), new Entity("PER", 1, 0, 1)), acc.goldEntities());
    assertEquals(
        Seqeval.classificationReport(
                sentences("O B-PER I-PER | I-PER O"), sentences("O B-PER I-PER | O O"),
                Mode.DEFAULT)
            .toDict(),
        acc.classificationReport(ZeroDivision.WARN).toDict());
  }

  /* Ids as Hugging Face run_ner sees them: -100 positions dropped from both sides.
   * id2label = O, B-PER, I-PER; gold [-100, 1, 2, -100, 0] -> B-PER I-PER O;
   * pred [2, 1, 0, 1, 0] at kept positions -> B-PER O O. Gold PER 0-2, pred PER 0-1: F1 0;
   * accuracy 2 of 3 (B-PER, O). */
  @Test
  void idsFollowRunNerFiltering() {
    List<String> id2label = List.of("O", "B-PER", "I-PER");
    SeqevalAccumulator acc = new SeqevalAccumulator(Mode.strict(Scheme.IOB2));
    acc.addIds(new int[] {2, 1, 0, 1, 0}, new int[] {-100, 1, 2, -100, 0}, id2label);
    assertEquals(List.of(new Entity("PER", 0, 0, 2)), acc.goldEntities());
    assertEquals(List.of(new Entity("PER", 0, 0, 1)), acc.predictedEntities());
    assertEquals(2.0 / 3, acc.accuracy(), 1e-15);

    TokenAccuracy accuracy = new TokenAccuracy();
    accuracy.add(new int[] {2, 1, 0, 1, 0}, new int[] {-100, 1, 2, -100, 0});
    assertEquals(2, accuracy.correct());
    assertEquals(3, accuracy.total());
    assertEquals(2.0 / 3, accuracy.accuracy(), 1e-15);

    assertThrows(
        IllegalArgumentException.class,
        () -> acc.addIds(new int[] {3}, new int[] {0}, id2label));
    assertThrows(IllegalArgumentException.class, () -> accuracy.add(new int[] {0}, new int[] {}));
  }

  @Test
  void emptyInputsAreRejectedWithAReason() {
    assertThrows(IllegalStateException.class, () -> new TokenAccuracy().accuracy());
    assertThrows(IllegalStateException.class, () -> new SeqevalAccumulator(Mode.DEFAULT).accuracy());
    SeqevalAccumulator withEmptyLabel = new SeqevalAccumulator(Mode.DEFAULT);
    withEmptyLabel.add(sentence("O B-PER"), List.of("O", ""));
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> withEmptyLabel.f1(Average.MICRO, ZeroDivision.WARN));
    assertEquals(
        "y_pred: label at sentence 0, position 1 is empty; every token needs a tag such as O or"
            + " B-PER",
        empty.getMessage());
    assertThrows(NullPointerException.class, () -> Mode.strict(null));
  }

  @Test
  void tokenAccuracyOverTags() {
    TokenAccuracy accuracy = new TokenAccuracy();
    accuracy.add(sentence("O B-PER O"), sentence("O B-LOC O"));
    assertEquals(2.0 / 3, accuracy.accuracy(), 1e-15);
  }
}
