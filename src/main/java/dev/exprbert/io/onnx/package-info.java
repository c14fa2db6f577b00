/**
 * Imports a BERT encoder from an ONNX export into Hugging Face BertModel weight names and the
 * architecture read off its graph, so that a model published only as ONNX can be fine-tuned.
 */
package dev.exprbert.io.onnx;
