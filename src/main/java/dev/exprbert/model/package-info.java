/**
 * Token classifiers of every supported encoder family behind one runner ({@link
 * dev.exprbert.model.EncoderForTokenClassification}) and one config interface ({@link dev.exprbert.model.EncoderConfig}):
 * the families ({@link dev.exprbert.model.ModelFamily}, chosen from config.json's model_type by {@link
 * dev.exprbert.model.ModelFamilies}) live in their own packages with modules named after Hugging Face's, sharing the
 * pieces in {@code model.nn}; checkpoint loading, the model directory format and the size limits work for all;
 * padded or packed batches run through the layer-wise backward.
 */
package dev.exprbert.model;
