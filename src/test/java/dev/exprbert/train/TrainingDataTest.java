package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.LabeledSentence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run_ner's column settings, the span settings and max_*_samples, as a run reads its files. */
class TrainingDataTest {
  @TempDir
  Path tmp;

  private static TrainingConfig.Builder config() {
    return TrainingConfig.builder().set("output_dir", "runs/x");
  }

  private List<LabeledSentence> read(TrainingConfig config, Path file, Integer limit) {
    return TrainingData.read("train_file", file, TrainingData.readerOptions(config), limit);
  }

  @Test
  void textAndLabelColumnsNameTheJsonLinesFields() throws Exception {
    Path file = Files.writeString(tmp.resolve("data.jsonl"), """
        {"id": 1, "words": ["Great", "staff"], "labels": ["B-Positive", "I-Positive"], "ner_tags": ["O", "O"]}
        {"id": 2, "words": ["Bad", "room"], "labels": ["B-Negative", "I-Negative"], "ner_tags": ["O", "O"]}
        {"id": 3, "words": ["Fine"], "labels": ["O"], "ner_tags": ["O"]}
        """);
    List<LabeledSentence> read = read(config().set("text_column_name", "words").set("label_column_name", "labels").build(),
        file, 2);
    assertEquals(2, read.size(), "max_*_samples keeps the first records");
    assertEquals(List.of("Bad", "room"), read.get(1).words());
    assertEquals(List.of("B-Negative", "I-Negative"), read.get(1).tags());
    assertEquals(List.of("O", "O"), read(config().set("text_column_name", "words").build(), file, null).get(0).tags(),
        "without label_column_name: ner_tags");
    Path pos = Files.writeString(tmp.resolve("pos.jsonl"), "{\"tokens\": [\"We\", \"met\"], \"pos_tags\": [\"PRON\", \"VERB\"]}\n");
    assertEquals(List.of("PRON", "VERB"), read(config().set("task_name", "pos").build(), pos, null).get(0).tags(),
        "task_name pos reads pos_tags, run_ner's default column");
    InputFormatException missing = assertThrows(InputFormatException.class,
        () -> read(config().set("label_column_name", "tags").build(), pos, null));
    assertTrue(missing.getMessage().contains("\"tags\""), missing.getMessage());
  }

  @Test
  void spanFilesTakeTheColumnNamesAndTheLabelScheme() throws Exception {
    Path file = Files.writeString(tmp.resolve("spans.jsonl"), """
        {"sentence": "The staff was very friendly on Monday.", "marks": [{"start": 14, "end": 27, "label": "Positive"}, \
        {"start": 31, "end": 37, "label": "Time"}], "spans": []}
        """);
    TrainingConfig config = config().set("text_column_name", "sentence").set("label_column_name", "marks")
        .set("label_scheme", "iobes").build();
    LabeledSentence sentence = read(config, file, null).get(0);
    assertEquals(List.of("The", "staff", "was", "very", "friendly", "on", "Monday", "."), sentence.words());
    assertEquals(List.of("O", "O", "O", "B-Positive", "E-Positive", "O", "S-Time", "O"), sentence.tags());
    Path misaligned = Files.writeString(tmp.resolve("misaligned.jsonl"),
        "{\"text\": \"very friendly\", \"spans\": [{\"start\": 1, \"end\": 13, \"label\": \"Positive\"}]}\n");
    assertEquals(List.of("O", "O"), read(config().set("on_misaligned", "drop").build(), misaligned, null).get(0).tags());
    assertEquals(List.of("B-Positive", "I-Positive"), read(config().build(), misaligned, null).get(0).tags(),
        "snapped by default");
  }
}
