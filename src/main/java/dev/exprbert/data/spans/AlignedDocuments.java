package dev.exprbert.data.spans;

import dev.exprbert.data.InputFormatException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Span documents turned into words and tags one at a time: split ({@link WordSplitter}), aligned
 * ({@link SpanAligner}, every deviation to the options' issue sink) and tagged in the options'
 * scheme. When the input ends, the summary line is logged (and stays in {@link #report()}).
 *
 * <p>A document with no word (empty, or only spaces) is an error naming its line, and so is an
 * input without any document.
 */
public final class AlignedDocuments implements Iterator<AlignedDocument>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlignedDocuments.class);

  private final SpanDocumentReader documents;
  private final SpanOptions options;
  private final AlignmentReport report;
  private final SpanAligner aligner;
  private boolean summarised;

  public AlignedDocuments(SpanDocumentReader documents, SpanOptions options) {
    this.documents = documents;
    this.options = options;
    this.report = new AlignmentReport(documents.source());
    this.aligner = new SpanAligner(options, report);
  }

  public String source() {
    return documents.source();
  }

  /** What happened so far; complete once {@link #hasNext()} has returned false. */
  public AlignmentReport report() {
    return report;
  }

  @Override
  public boolean hasNext() {
    boolean more = documents.hasNext();
    if (!more && !summarised) {
      summarised = true;
      report.addReaderNotes(documents.notes());
      if (report.documents() == 0) {
        throw new InputFormatException(documents.source(), 1, "at least one document", "none"
            + (documents.notes().isEmpty() ? "" : " (" + String.join("; ", documents.notes()) + ")"));
      }
      if (report.misaligned() + report.dropped() + report.notes > 0) {
        LOG.warn("{}", report.summary());
      } else {
        LOG.info("{}", report.summary());
      }
    }
    return more;
  }

  @Override
  public AlignedDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more documents in " + documents.source());
    }
    SpanDocument document = documents.next();
    report.documents++;
    List<CharRange> words = WordSplitter.split(document.text());
    if (words.isEmpty()) {
      throw new InputFormatException(document.source(), document.line(),
          "a document with at least one word",
          document.text().isEmpty() ? "an empty text" : "a text of only spaces or control characters");
    }
    if (document.spans() == null) {
      return new AlignedDocument(document.source(), document.line(), document.text(), words, null, null);
    }
    List<WordRange> entities = aligner.align(document, words);
    List<String> tags = options.labelScheme().encode(words.size(), entities);
    return new AlignedDocument(document.source(), document.line(), document.text(), words, entities, tags);
  }

  @Override
  public void close() {
    documents.close();
  }
}
