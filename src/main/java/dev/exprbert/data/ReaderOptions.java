package dev.exprbert.data;

import dev.exprbert.data.spans.SpanOptions;
import java.util.List;

/**
 * How to read a dataset file. Each reader uses the options that apply to its format.
 *
 * @param format the format, or {@code null} to infer it from the file extension
 * @param separator CoNLL: how columns are separated
 * @param tokenColumn CoNLL: 0-based token column; negative counts from the end (-1 = last)
 * @param tagColumn CoNLL: 0-based tag column; negative counts from the end (-1 = last)
 * @param tagsRequired whether every sentence must carry tags (training, evaluation); when false, a
 *     one-column CoNLL file or a JSONL record without a tag field gives sentences without tags
 * @param tokensField JSONL: the token array field, or {@code null} for {@code tokens} (falling back
 *     to Hugging Face's {@code words})
 * @param tagsField JSONL: the tag array field, or {@code null} for {@code ner_tags} (falling back to
 *     Hugging Face's {@code ner})
 * @param labelNames JSONL: the label names that integer tags index, or {@code null} when tags are
 *     strings
 * @param spans span formats (doccano, spaCy, Label Studio, brat): label scheme, misalignment and
 *     overlap policies, offset unit, text field; {@code null} for {@link SpanOptions#DEFAULTS}
 */
public record ReaderOptions(
    DatasetFormat format,
    ColumnSeparator separator,
    int tokenColumn,
    int tagColumn,
    boolean tagsRequired,
    String tokensField,
    String tagsField,
    List<String> labelNames,
    SpanOptions spans) {

  /** Defaults: format from the extension, whitespace columns, first and last column, tags required. */
  public static final ReaderOptions DEFAULTS = builder().build();

  public ReaderOptions {
    if (separator == null) {
      throw new IllegalArgumentException("separator must not be null (whitespace or tab)");
    }
    labelNames = labelNames == null ? null : List.copyOf(labelNames);
    spans = spans == null ? SpanOptions.DEFAULTS : spans;
    if (tokensField != null && tokensField.isEmpty()) {
      throw new IllegalArgumentException("tokensField must not be empty");
    }
    if (tagsField != null && tagsField.isEmpty()) {
      throw new IllegalArgumentException("tagsField must not be empty");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .format(format)
        .separator(separator)
        .tokenColumn(tokenColumn)
        .tagColumn(tagColumn)
        .tagsRequired(tagsRequired)
        .tokensField(tokensField)
        .tagsField(tagsField)
        .labelNames(labelNames)
        .spans(spans);
  }

  /** Builder with the defaults of {@link #DEFAULTS}. */
  public static final class Builder {
    private DatasetFormat format;
    private ColumnSeparator separator = ColumnSeparator.WHITESPACE;
    private int tokenColumn = 0;
    private int tagColumn = -1;
    private boolean tagsRequired = true;
    private String tokensField;
    private String tagsField;
    private List<String> labelNames;
    private SpanOptions spans;

    private Builder() {}

    public Builder format(DatasetFormat format) {
      this.format = format;
      return this;
    }

    public Builder separator(ColumnSeparator separator) {
      this.separator = separator;
      return this;
    }

    public Builder tokenColumn(int tokenColumn) {
      this.tokenColumn = tokenColumn;
      return this;
    }

    public Builder tagColumn(int tagColumn) {
      this.tagColumn = tagColumn;
      return this;
    }

    public Builder tagsRequired(boolean tagsRequired) {
      this.tagsRequired = tagsRequired;
      return this;
    }

    public Builder tokensField(String tokensField) {
      this.tokensField = tokensField;
      return this;
    }

    public Builder tagsField(String tagsField) {
      this.tagsField = tagsField;
      return this;
    }

    public Builder labelNames(List<String> labelNames) {
      this.labelNames = labelNames;
      return this;
    }

    public Builder spans(SpanOptions spans) {
      this.spans = spans;
      return this;
    }

    public ReaderOptions build() {
      return new ReaderOptions(
          format, separator, tokenColumn, tagColumn, tagsRequired, tokensField, tagsField,
          labelNames, spans);
    }
  }
}
