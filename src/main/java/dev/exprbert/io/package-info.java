/** Reading and writing model files: safetensors, Hugging Face directories, pytorch_model.bin. */
package dev.exprbert.io;
