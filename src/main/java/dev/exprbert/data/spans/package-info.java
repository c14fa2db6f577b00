/**
 * Character-offset span annotations (doccano, spaCy/Prodigy, Label Studio, brat) read as documents,
 * aligned to words split like the project's CoNLL data, tagged in BIO/IOBES/BILOU with every
 * misaligned or overlapping span reported; and words + tags turned back into span records. The
 * data package's readers ({@link dev.exprbert.data.SentenceReaders}) open these formats by name or
 * by file, so this package is the span half of that one package.
 */
package dev.exprbert.data.spans;
