package dev.exprbert.data.spans;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How span annotations become tagged words.
 *
 * @param labelScheme the tags to write ({@code --label_scheme}); BIO by default
 * @param onMisaligned spans whose ends are not word boundaries ({@code --on_misaligned}); snap by
 *     default
 * @param overlaps spans sharing a word ({@code --overlaps}); an error by default
 * @param offsetUnit the unit of every offset, overriding each format's own (see {@link
 *     OffsetUnit}); {@code null} to use the format's
 * @param textField JSON formats: the field holding the text; {@code null} for {@code text}
 * @param spansField span JSON Lines: the field holding the span list; {@code null} for the first of
 *     {@code spans}, {@code entities}, {@code label}, {@code labels}, {@code ents} a record has
 * @param issues receives every report line as it happens; {@code null} logs each as a warning
 */
public record SpanOptions(
    LabelScheme labelScheme,
    MisalignedPolicy onMisaligned,
    OverlapPolicy overlaps,
    OffsetUnit offsetUnit,
    String textField,
    String spansField,
    Consumer<AlignmentIssue> issues) {
  private static final Logger LOG = LoggerFactory.getLogger(SpanOptions.class);

  /** BIO, snap, overlaps are errors, each format's offset unit, field {@code text}, issues logged. */
  public static final SpanOptions DEFAULTS =
      new SpanOptions(LabelScheme.BIO, MisalignedPolicy.SNAP, OverlapPolicy.ERROR, null, null, null, null);

  public SpanOptions {
    if (labelScheme == null || onMisaligned == null || overlaps == null) {
      throw new IllegalArgumentException("labelScheme, onMisaligned and overlaps must not be null");
    }
    if (textField != null && textField.isEmpty()) {
      throw new IllegalArgumentException("textField must not be empty");
    }
    if (spansField != null && spansField.isEmpty()) {
      throw new IllegalArgumentException("spansField must not be empty");
    }
    if (issues == null) {
      issues = issue -> LOG.warn("{}", issue);
    }
  }

  /** The text field to read. */
  public String textFieldOrDefault() {
    return textField != null ? textField : "text";
  }

  public SpanOptions withLabelScheme(LabelScheme scheme) {
    return new SpanOptions(scheme, onMisaligned, overlaps, offsetUnit, textField, spansField, issues);
  }

  public SpanOptions withOnMisaligned(MisalignedPolicy policy) {
    return new SpanOptions(labelScheme, policy, overlaps, offsetUnit, textField, spansField, issues);
  }

  public SpanOptions withOverlaps(OverlapPolicy policy) {
    return new SpanOptions(labelScheme, onMisaligned, policy, offsetUnit, textField, spansField, issues);
  }

  public SpanOptions withOffsetUnit(OffsetUnit unit) {
    return new SpanOptions(labelScheme, onMisaligned, overlaps, unit, textField, spansField, issues);
  }

  public SpanOptions withTextField(String field) {
    return new SpanOptions(labelScheme, onMisaligned, overlaps, offsetUnit, field, spansField, issues);
  }

  public SpanOptions withSpansField(String field) {
    return new SpanOptions(labelScheme, onMisaligned, overlaps, offsetUnit, textField, field, issues);
  }

  public SpanOptions withIssues(Consumer<AlignmentIssue> sink) {
    return new SpanOptions(labelScheme, onMisaligned, overlaps, offsetUnit, textField, spansField, sink);
  }
}
