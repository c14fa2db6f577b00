package dev.exprbert.data;

import static dev.exprbert.data.TestFiles.readAll;
import static dev.exprbert.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
  @TempDir Path dir;

  @Test
  void readsSentencesSeparatedByBlankLinesWithTheirFirstLine() {
    Path file = write(dir, "train.conll", "The\tO\nhotel\tB-EXPR\n\nNice\tO\n!\tO\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("The", "hotel"), sentences.get(0).words());
    assertEquals(List.of("O", "B-EXPR"), sentences.get(0).tags());
    assertEquals(1, sentences.get(0).line());
    assertEquals(file.toString(), sentences.get(0).source());
    assertEquals(List.of("Nice", "!"), sentences.get(1).words());
    assertEquals(4, sentences.get(1).line());
  }

  @Test
  void lastSentenceWithoutTrailingNewlineIsKept() {
    Path file = write(dir, "a.conll", "a\tO\n\nb\tO");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("b"), sentences.get(1).words());
  }

  @Test
  void severalBlankLinesAreOneSeparatorAndNoEmptySentenceIsEmitted() {
    Path file = write(dir, "a.conll", "\n\n  \na\tO\n\n\n\t\n\nb\tO\n\n\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(4, sentences.get(0).line());
    assertEquals(9, sentences.get(1).line());
  }

  @Test
  void docstartLinesAreSkippedAndEndASentence() {
    Path file = write(dir, "c03.conll",
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
            + "-DOCSTART- -X- -X- O\nPeter NNP B-NP B-PER\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("EU", "rejects"), sentences.get(0).words());
    assertEquals(List.of("B-ORG", "O"), sentences.get(0).tags());
    assertEquals(3, sentences.get(0).line());
    assertEquals(List.of("Peter"), sentences.get(1).words());
    assertEquals(6, sentences.get(1).line());
  }

  @Test
  void commentLinesWithAnotherColumnCountAreSkipped() {
    Path file = write(dir, "a.conll",
        "# sent_id = 1\n# text = Good room\nGood\tB-EXPR\n# a note inside\nroom\tO\n\n# sent_id = 2\n"
            + "Bad\tB-EXPR\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("Good", "room"), sentences.get(0).words());
    assertEquals(3, sentences.get(0).line());
    assertEquals(List.of("Bad"), sentences.get(1).words());
    assertEquals(8, sentences.get(1).line());
  }

  @Test
  void hashTokensWithTheFileColumnCountAreDataNotComments() {
    // Like WNUT-17 and STREUSLE: '#' and '#hashtag' are tokens.
    Path file = write(dir, "tweets.conll", "Go\tO\n#\tO\n#NFL\tB-group\n\n#win\tO\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("Go", "#", "#NFL"), sentences.get(0).words());
    assertEquals(List.of("O", "O", "B-group"), sentences.get(0).tags());
    assertEquals(List.of("#win"), sentences.get(1).words());
  }

  @Test
  void hashTokensBeforeTheFirstOtherRowAreJudgedByLookingAhead() {
    // The column count is not known yet on line 2 and 3; line 4 fixes it at 2.
    Path file = write(dir, "tweets.conll",
        "# sent_id = 7\n#\tO\n#NFL\tB-group\nrocks\tO\n\nnext\tO\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("#", "#NFL", "rocks"), sentences.get(0).words());
    assertEquals(2, sentences.get(0).line());
    assertEquals(List.of("next"), sentences.get(1).words());
    assertEquals(6, sentences.get(1).line());
  }

  @Test
  void hashFirstSentencesSeparatedByBlankLinesKeepTheirBoundaries() {
    Path file = write(dir, "tweets.conll", "#a\tO\n\n#b\tO\n#c\tO\n\nd\tO\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(3, sentences.size());
    assertEquals(List.of("#a"), sentences.get(0).words());
    assertEquals(List.of("#b", "#c"), sentences.get(1).words());
    assertEquals(3, sentences.get(1).line());
    assertEquals(List.of("d"), sentences.get(2).words());
  }

  @Test
  void spacesSeparateColumnsByDefault() {
    Path file = write(dir, "a.conll", "  New   B-LOC \nYork\t I-LOC\n");
    LabeledSentence sentence = readAll(file).get(0);
    assertEquals(List.of("New", "York"), sentence.words());
    assertEquals(List.of("B-LOC", "I-LOC"), sentence.tags());
  }

  @Test
  void tabModeKeepsSpacesInsideTokens() {
    Path file = write(dir, "a.tsv", "New York\tB-LOC\nis\tO\n");
    ReaderOptions tabs = ReaderOptions.builder().separator(ColumnSeparator.TAB).build();
    LabeledSentence sentence = readAll(file, tabs).get(0);
    assertEquals(List.of("New York", "is"), sentence.words());
    assertEquals(List.of("B-LOC", "O"), sentence.tags());
  }

  @Test
  void tabModeRejectsAnEmptyTokenColumn() {
    Path file = write(dir, "a.tsv", "a\tO\n\tO\n");
    ReaderOptions tabs = ReaderOptions.builder().separator(ColumnSeparator.TAB).build();
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file, tabs));
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("non-empty token in column 1"), e.getMessage());
  }

  @Test
  void tokenAndTagColumnsCanBeChosen() {
    Path file = write(dir, "c03.conll", "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n");
    ReaderOptions chunks = ReaderOptions.builder().tokenColumn(0).tagColumn(2).build();
    assertEquals(List.of("B-NP", "B-VP"), readAll(file, chunks).get(0).tags());
    ReaderOptions fromEnd = ReaderOptions.builder().tokenColumn(-4).tagColumn(-3).build();
    LabeledSentence pos = readAll(file, fromEnd).get(0);
    assertEquals(List.of("EU", "rejects"), pos.words());
    assertEquals(List.of("NNP", "VBZ"), pos.tags());
  }

  @Test
  void wrongColumnCountNamesTheLineWhatWasExpectedAndWhatWasFound() {
    Path file = write(dir, "train.conll", "a\tO\nb\tO\n\nc\tO\nd e\tO\n");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(5, e.line());
    assertEquals(file.toString(), e.file());
    assertEquals(
        file + ":5: expected 2 columns (token, tag) separated by tabs or spaces, like line 1, "
            + "found 3 columns: \"d e\\tO\"",
        e.getMessage());
  }

  @Test
  void tooFewColumnsInALaterRowIsAnErrorAtThatLine() {
    Path file = write(dir, "train.conll", "a\tO\nb\tO\nc\n");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(3, e.line());
    assertTrue(e.found().startsWith("1 column: \"c\""), e.found());
  }

  @Test
  void missingTagColumnIsAnErrorAtTheFirstRow() {
    Path file = write(dir, "train.conll", "\n\nonly\nwords\n");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(3, e.line());
    assertEquals(
        file + ":3: expected 2 columns (token, tag) separated by tabs or spaces, found 1 column "
            + "(the tag column is missing): \"only\"",
        e.getMessage());
  }

  @Test
  void explicitTagColumnBeyondTheRowIsMissing() {
    Path file = write(dir, "train.conll", "a\tO\n");
    ReaderOptions options = ReaderOptions.builder().tagColumn(3).build();
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file, options));
    assertEquals(1, e.line());
    assertTrue(e.expected().contains("a tag in column 4"), e.expected());
  }

  @Test
  void oneColumnFileGivesUntaggedSentencesWhenTagsAreOptional() {
    Path file = write(dir, "predict.conll", "only\nwords\n\nhere\n");
    ReaderOptions options = ReaderOptions.builder().tagsRequired(false).build();
    List<LabeledSentence> sentences = readAll(file, options);
    assertEquals(2, sentences.size());
    assertFalse(sentences.get(0).hasTags());
    assertNull(sentences.get(1).tags());
    assertEquals(List.of("only", "words"), sentences.get(0).words());
  }

  @Test
  void emptyFileHasNoSentences() {
    Path file = write(dir, "empty.conll", "");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(1, e.line());
    assertTrue(e.getMessage().contains("no sentences"), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ":1: expected at least one sentence"));
  }

  @Test
  void fileOfBlankLinesCommentsAndDocstartsHasNoSentencesAtItsLastLine() {
    Path file = write(dir, "hollow.conll", "# only a comment\n\n-DOCSTART- O\n\n");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(4, e.line());
    assertTrue(e.found().contains("no sentences in 4 line(s)"), e.found());
  }

  @Test
  void errorSurfacesLazilyAfterTheGoodSentencesBeforeIt() {
    Path file = write(dir, "a.conll", "a\tO\n\nb\tO\tX\n");
    try (SentenceReader reader = SentenceReaders.open(file, ReaderOptions.DEFAULTS)) {
      assertEquals(List.of("a"), reader.next().words());
      InputFormatException e = assertThrows(InputFormatException.class, reader::hasNext);
      assertEquals(3, e.line());
    }
  }

  @Test
  void aFiveThousandTokenSentenceIsReadWhole() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("w").append(i).append('\t').append(i % 7 == 0 ? "B-X" : "O").append('\n');
    }
    text.append("\nshort\tO\n");
    List<LabeledSentence> sentences = readAll(write(dir, "long.conll", text.toString()));
    assertEquals(2, sentences.size());
    assertEquals(5000, sentences.get(0).size());
    assertEquals("w4999", sentences.get(0).words().get(4999));
    assertEquals("B-X", sentences.get(0).tags().get(4998 - 4998 % 7));
    assertEquals(5002, sentences.get(1).line());
  }

  @Test
  void streamClosesTheReader() {
    Path file = write(dir, "a.conll", "a\tO\n\nb\tO\n");
    try (var stream = SentenceReaders.open(file, ReaderOptions.DEFAULTS).stream()) {
      assertEquals(2, stream.count());
    }
  }
}
