package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test shorthand: "B-PER I-PER O" -> one sentence, "B-PER | O" -> two. */
final class Tags {
  private Tags() {}

  static List<String> sentence(String tags) {
    String trimmed = tags.trim();
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
  }

  static List<List<String>> sentences(String tags) {
    List<List<String>> out = new ArrayList<>();
    for (String part : tags.split("\\|", -1)) {
      out.add(sentence(part));
    }
    return out;
  }

  static Entity e(String type, int sentence, int start, int end) {
    return new Entity(type, sentence, start, end);
  }

  static Entity e(String type, int start, int end) {
    return new Entity(type, 0, start, end);
  }
}
