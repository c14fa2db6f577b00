package dev.exprbert.cli;

import dev.exprbert.data.spans.AlignmentIssue;
import dev.exprbert.data.spans.LabelScheme;
import dev.exprbert.data.spans.MisalignedPolicy;
import dev.exprbert.data.spans.OffsetUnit;
import dev.exprbert.data.spans.OverlapPolicy;
import dev.exprbert.data.spans.SpanOptions;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * The options of commands that read span annotations ({@code convert-data}, {@code evaluate}), with the names
 * {@code train} gives the same settings.
 */
final class SpanFlags {
  @Option(names = {"--label_scheme", "--label-scheme"}, description = "bio (default), iobes or bilou.")
  String labelScheme;

  @Option(names = {"--on_misaligned", "--on-misaligned"}, defaultValue = "snap",
      description = "Spans whose ends are not word boundaries: snap (widen to whole words, default), drop or error.")
  String onMisaligned;

  @Option(names = "--overlaps", defaultValue = "error",
      description = "Spans sharing a word: error (default) or keep_longest.")
  String overlaps;

  @Option(names = {"--offset_unit", "--offset-unit"},
      description = "code_points or utf16: override what the input's offsets count (default: each format's own).")
  String offsetUnit;

  @Option(names = {"--text_field", "--text-field", "--text_column_name"},
      description = "JSON field holding the text (default text).")
  String textField;

  /** The scheme named by {@code --label_scheme}, or null when none was given. */
  LabelScheme schemeOrNull() {
    return labelScheme == null ? null : LabelScheme.fromName(labelScheme);
  }

  /** The span options these flags make, reporting each alignment issue to {@code issues}. */
  SpanOptions options(Consumer<AlignmentIssue> issues) {
    LabelScheme scheme = schemeOrNull();
    return SpanOptions.DEFAULTS
        .withLabelScheme(scheme == null ? LabelScheme.BIO : scheme)
        .withOnMisaligned(MisalignedPolicy.fromName(onMisaligned))
        .withOverlaps(OverlapPolicy.fromName(overlaps))
        .withOffsetUnit(offsetUnit == null ? null : OffsetUnit.fromName(offsetUnit))
        .withTextField(textField)
        .withIssues(issues);
  }
}
