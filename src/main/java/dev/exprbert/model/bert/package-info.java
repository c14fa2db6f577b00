/**
 * BERT as Hugging Face's modules spell it ({@code BertModel}: embeddings, encoder of {@code BertLayer}s) and the
 * config of every family with transformers' BertConfig keys ({@link dev.exprbert.model.bert.BertConfig}); RoBERTa and
 * ELECTRA reuse the embeddings, layers and encoder.
 */
package dev.exprbert.model.bert;
