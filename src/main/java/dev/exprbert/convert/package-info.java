/**
 * Turns pretrained encoders published in other formats (ONNX) into Hugging Face model directories
 * that the rest of the project loads, and keeps the bundled all-MiniLM-L6-v2 converted in a cache.
 */
package dev.exprbert.convert;
