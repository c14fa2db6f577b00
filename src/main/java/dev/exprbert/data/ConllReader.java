package dev.exprbert.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads CoNLL column files: one token per line, blank lines between sentences.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Columns are cut by {@link ColumnSeparator}; the token and tag columns are chosen by index
 *       (defaults: first and last). Every data row must have the same number of columns as the
 *       first data row of the file; otherwise the row is an error naming its line. A first row with
 *       no tag column is an error unless tags are optional (prediction input).
 *   <li>Blank lines (empty, or only spaces and tabs) end a sentence; several in a row are one
 *       separator and no empty sentence is ever produced.
 *   <li>A line whose first column is {@code -DOCSTART-} is skipped and ends the current sentence.
 *   <li>[note: comment rule] A line whose first column starts with {@code #} is a data row when it has exactly the
 *       file's column count, and a comment otherwise. So {@code #\tO} or {@code #hashtag\tO} in a
 *       two-column file are tokens (WNUT-17, STREUSLE and NoReC all contain such rows), while
 *       {@code # sent_id = 12} (four columns under whitespace splitting, one under tab splitting) is
 *       a comment. The column count is fixed by the first row that does not start with {@code #}, so
 *       {@code #} lines before it are judged by looking ahead to that row. Consequences: a comment
 *       that happens to have exactly the column count is read as a data row (use {@link
 *       ColumnSeparator#TAB} so that spaces in comments do not make columns), and a {@code #} row
 *       with a wrong column count is skipped as a comment rather than reported.
 * </ul>
 */
public final class ConllReader extends LineSentenceReader {
  private static final String DOCSTART = "-DOCSTART-";

  private final ColumnSeparator separator;
  private final int tokenColumnOption;
  private final int tagColumnOption;
  private final boolean tagsRequired;
  /** Lines read ahead while judging leading {@code #} lines, returned again in order. */
  private final Deque<NumberedLine> replay = new ArrayDeque<>();

  /** Fixed by the first data row: column count, resolved token column, tag column or -1. */
  private int columnCount = -1;
  private long columnCountLine;
  private int tokenColumn;
  private int tagColumn;

  ConllReader(Utf8LineReader lines, ReaderOptions options) {
    super(lines);
    this.separator = options.separator();
    this.tokenColumnOption = options.tokenColumn();
    this.tagColumnOption = options.tagColumn();
    this.tagsRequired = options.tagsRequired();
  }

  @Override
  protected String sentenceShape() {
    return "token and tag columns " + separator.description() + ", a blank line after each sentence";
  }

  @Override
  protected LabeledSentence readSentence() {
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    long firstLine = 0;
    for (NumberedLine line = nextLine(); line != null; line = nextLine()) {
      if (line.isBlank()) {
        if (!words.isEmpty()) {
          break;
        }
        continue;
      }
      List<String> columns = separator.split(line.text());
      if (columns.get(0).equals(DOCSTART)) {
        if (!words.isEmpty()) {
          break;
        }
        continue;
      }
      if (columns.get(0).startsWith("#") && isComment(columns)) {
        continue;
      }
      if (columnCount < 0) {
        fixColumns(columns, line);
      }
      if (columns.size() != columnCount) {
        throw new InputFormatException(
            lines.source(),
            line.number(),
            columnsDescription() + ", like line " + columnCountLine,
            columns.size() + (columns.size() == 1 ? " column" : " columns") + ": "
                + InputFormatException.quote(line.text()));
      }
      if (words.isEmpty()) {
        firstLine = line.number();
      }
      words.add(nonEmpty(columns, tokenColumn, "token", line));
      if (tagColumn >= 0) {
        tags.add(nonEmpty(columns, tagColumn, "tag", line));
      }
    }
    if (words.isEmpty()) {
      return null;
    }
    return new LabeledSentence(words, tagColumn >= 0 ? tags : null, lines.source(), firstLine);
  }

  private NumberedLine nextLine() {
    NumberedLine replayed = replay.poll();
    return replayed != null ? replayed : lines.readLine();
  }

  /** See the comment rule in the class comment. */
  private boolean isComment(List<String> columns) {
    if (columnCount < 0) {
      lookAheadForColumnCount();
    }
    return columnCount < 0 || columns.size() != columnCount;
  }

  /**
   * Reads on to the first row that does not start with {@code #} and fixes the column count from
   * it; every line read is replayed afterwards. Only leading {@code #} lines are buffered this way.
   */
  private void lookAheadForColumnCount() {
    List<NumberedLine> ahead = new ArrayList<>();
    for (NumberedLine line = lines.readLine(); line != null; line = lines.readLine()) {
      ahead.add(line);
      if (line.isBlank()) {
        continue;
      }
      List<String> columns = separator.split(line.text());
      if (!columns.get(0).startsWith("#") && !columns.get(0).equals(DOCSTART)) {
        fixColumns(columns, line);
        break;
      }
    }
    // Lines still waiting in the replay queue were read before these.
    replay.addAll(ahead);
  }

  private void fixColumns(List<String> columns, NumberedLine line) {
    int count = columns.size();
    int token = resolve(tokenColumnOption, count);
    if (token < 0) {
      throw new InputFormatException(
          lines.source(),
          line.number(),
          "a token in column " + describeOption(tokenColumnOption) + " " + separator.description(),
          count + (count == 1 ? " column" : " columns") + ": "
              + InputFormatException.quote(line.text()));
    }
    int tag = resolve(tagColumnOption, count);
    if (tag == token) {
      tag = -1;
    }
    if (tag < 0 && tagsRequired) {
      String expected =
          tagColumnOption == -1 && tokenColumnOption == 0
              ? "2 columns (token, tag) " + separator.description()
              : "a tag in column " + describeOption(tagColumnOption) + ", apart from the token in "
                  + "column " + describeOption(tokenColumnOption) + ", " + separator.description();
      throw new InputFormatException(
          lines.source(),
          line.number(),
          expected,
          count + (count == 1 ? " column" : " columns") + " (the tag column is missing): "
              + InputFormatException.quote(line.text()));
    }
    columnCount = count;
    columnCountLine = line.number();
    tokenColumn = token;
    tagColumn = tag;
  }

  /** A 0-based column option (negative from the end) resolved against a count, or -1 if absent. */
  private static int resolve(int option, int count) {
    int index = option >= 0 ? option : count + option;
    return index >= 0 && index < count ? index : -1;
  }

  private static String describeOption(int option) {
    return option >= 0 ? String.valueOf(option + 1) : option == -1 ? "last" : "last" + (option + 1);
  }

  private String columnsDescription() {
    String roles;
    if (columnCount == 2 && tokenColumn == 0 && tagColumn == 1) {
      roles = "(token, tag)";
    } else if (columnCount == 1) {
      roles = "(token)";
    } else if (tagColumn < 0) {
      roles = "(token in column " + (tokenColumn + 1) + ")";
    } else {
      roles = "(token in column " + (tokenColumn + 1) + ", tag in column " + (tagColumn + 1) + ")";
    }
    return columnCount + (columnCount == 1 ? " column " : " columns ") + roles + " "
        + separator.description();
  }

  private String nonEmpty(List<String> columns, int index, String role, NumberedLine line) {
    String value = columns.get(index);
    if (value.isEmpty()) {
      throw new InputFormatException(
          lines.source(),
          line.number(),
          "a non-empty " + role + " in column " + (index + 1),
          "an empty column: " + InputFormatException.quote(line.text()));
    }
    return value;
  }
}
