package dev.exprbert.metrics;

import dev.exprbert.runtime.CodePointOrder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * seqeval's {@code classification_report}: one row per entity type (gold and predicted types,
 * sorted), then micro, macro and weighted averages, each with precision, recall, F1 and gold
 * support. {@link #toText} renders seqeval's text layout; {@link #toDict} its
 * {@code output_dict=True} structure.
 */
public record ClassificationReport(
    List<ScoreRow> types,
    ScoreRow microAvg,
    ScoreRow macroAvg,
    ScoreRow weightedAvg,
    List<String> warnings) {
  private static final String LONGEST_AVERAGE_NAME = "weighted avg";
  private static final String[] HEADERS = {"precision", "recall", "f1-score", "support"};

  public ClassificationReport {
    types = List.copyOf(types);
    warnings = List.copyOf(warnings);
  }

  /** {@link #toText(int)} with seqeval's default of 2 digits. */
  public String toText() {
    return toText(2);
  }

  /**
   * The text report, character for character as seqeval prints it: the name column is as wide as
   * the longest of the type names, "weighted avg" and {@code digits}; each number takes
   * {@code ' {:>9.{digits}f}'}; rows end in "\n" and blank lines separate the blocks.
   *
   * @throws IllegalStateException when there are no entity types at all, where seqeval raises
   *     "ValueError: max() arg is an empty sequence"
   */
  public String toText(int digits) {
    if (digits < 0) {
      throw new IllegalArgumentException("digits must be >= 0, got " + digits);
    }
    if (types.isEmpty()) {
      throw new IllegalStateException(
          "classification report text: neither the gold nor the predicted labels contain an"
              + " entity, so there is no type row (seqeval raises ValueError: max() arg is an"
              + " empty sequence here); use toDict() or the scores, which are defined");
    }
    int nameWidth = 0;
    for (ScoreRow row : types) {
      nameWidth = Math.max(nameWidth, CodePointOrder.length(row.name()));
    }
    int width = Math.max(Math.max(nameWidth, LONGEST_AVERAGE_NAME.length()), digits);

    StringBuilder out = new StringBuilder();
    out.append(PyFormat.rightAlign("", width)).append(' ');
    for (String header : HEADERS) {
      out.append(' ').append(PyFormat.rightAlign(header, 9));
    }
    out.append("\n\n");
    for (ScoreRow row : types) {
      appendRow(out, row, width, digits).append('\n');
    }
    out.append('\n');
    appendRow(out, microAvg, width, digits).append('\n');
    appendRow(out, macroAvg, width, digits).append('\n');
    appendRow(out, weightedAvg, width, digits).append('\n');
    return out.toString();
  }

  private static StringBuilder appendRow(StringBuilder out, ScoreRow row, int width, int digits) {
    out.append(PyFormat.rightAlign(row.name(), width)).append(' ');
    for (double value : new double[] {row.precision(), row.recall(), row.f1()}) {
      out.append(' ').append(PyFormat.rightAlign(PyFormat.fixed(value, digits), 9));
    }
    out.append(' ').append(PyFormat.rightAlign(Long.toString(row.support()), 9));
    return out;
  }

  /**
   * seqeval's {@code output_dict=True}: {@code {name: {precision, recall, f1-score, support}}} for
   * each type, then "micro avg", "macro avg", "weighted avg". With no types, micro is 0 and macro
   * NaN, as seqeval returns.
   */
  public Map<String, Map<String, Number>> toDict() {
    Map<String, Map<String, Number>> dict = new LinkedHashMap<>();
    for (ScoreRow row : types) {
      dict.put(row.name(), dictRow(row));
    }
    dict.put(microAvg.name(), dictRow(microAvg));
    dict.put(macroAvg.name(), dictRow(macroAvg));
    dict.put(weightedAvg.name(), dictRow(weightedAvg));
    return dict;
  }

  private static Map<String, Number> dictRow(ScoreRow row) {
    Map<String, Number> values = new LinkedHashMap<>();
    values.put("precision", row.precision());
    values.put("recall", row.recall());
    values.put("f1-score", row.f1());
    values.put("support", row.support());
    return values;
  }
}
