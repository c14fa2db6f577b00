package dev.exprbert.data.spans;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.SentenceReader;

/**
 * A {@link SentenceReader} over a span-annotation file: each document becomes one sentence of
 * words and tags (see {@link AlignedDocuments}), so training, evaluation and prediction read these
 * files like CoNLL.
 */
public final class SpanSentenceReader implements SentenceReader {
  private final AlignedDocuments documents;

  public SpanSentenceReader(SpanDocumentReader documents, SpanOptions options) {
    this.documents = new AlignedDocuments(documents, options);
  }

  /** The alignment report so far (complete at the end of the input). */
  public AlignmentReport report() {
    return documents.report();
  }

  @Override
  public String source() {
    return documents.source();
  }

  @Override
  public boolean hasNext() {
    return documents.hasNext();
  }

  @Override
  public LabeledSentence next() {
    return documents.next().toSentence();
  }

  @Override
  public void close() {
    documents.close();
  }
}
