package dev.exprbert.model;

import org.bytedeco.pytorch.Tensor;

/** A trainable tensor with its Hugging Face checkpoint name (e.g. {@code bert.encoder.layer.0.output.dense.weight}). */
public record NamedParameter(String name, Tensor tensor) {}
