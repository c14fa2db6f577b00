/**
 * Writes a fine-tuned token classifier as a standard ONNX graph (inputs {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids}, output {@code logits}) that ONNX Runtime, DJL or Spark NLP can run, laid out the way
 * torch.onnx exports Hugging Face's {@code BertForTokenClassification}, so that {@code convert} reads it back.
 */
package dev.exprbert.export;
