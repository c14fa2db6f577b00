package dev.exprbert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every trainable tensor of {@link BertForTokenClassification}: its Hugging Face key, shape and how
 * Hugging Face's {@code _init_weights} initialises it. Loading checks checkpoints against this list,
 * and fresh initialisation walks it, so the two can never disagree.
 */
public record ParameterSpec(String name, long[] shape, Init init) {

  /** Hugging Face {@code BertPreTrainedModel._init_weights}. */
  public enum Init {
    /** normal(0, initializer_range): Linear and Embedding weights. */
    NORMAL,
    /** normal(0, initializer_range) with the padding_idx row zeroed: word embeddings. */
    NORMAL_PADDING_ROW_ZERO,
    /** Biases (Linear and LayerNorm). */
    ZEROS,
    /** LayerNorm weights. */
    ONES
  }

  /** The prefix under which the encoder sits in a token classifier checkpoint. */
  public static final String ENCODER_PREFIX = "bert";

  public static List<ParameterSpec> of(BertConfig config) {
    List<ParameterSpec> specs = new ArrayList<>();
    WeightPath bert = WeightPath.ROOT.child(ENCODER_PREFIX);
    long h = config.hiddenSize();
    WeightPath emb = bert.child("embeddings");
    specs.add(new ParameterSpec(emb.child("word_embeddings").key("weight"), new long[] {config.vocabSize(), h}, Init.NORMAL_PADDING_ROW_ZERO));
    specs.add(new ParameterSpec(emb.child("position_embeddings").key("weight"), new long[] {config.maxPositionEmbeddings(), h}, Init.NORMAL));
    specs.add(new ParameterSpec(emb.child("token_type_embeddings").key("weight"), new long[] {config.typeVocabSize(), h}, Init.NORMAL));
    layerNorm(specs, emb.child("LayerNorm"), h);
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      WeightPath layer = bert.child("encoder").child("layer").child(i);
      WeightPath self = layer.child("attention").child("self");
      linear(specs, self.child("query"), h, h);
      linear(specs, self.child("key"), h, h);
      linear(specs, self.child("value"), h, h);
      linear(specs, layer.child("attention").child("output").child("dense"), h, h);
      layerNorm(specs, layer.child("attention").child("output").child("LayerNorm"), h);
      linear(specs, layer.child("intermediate").child("dense"), h, config.intermediateSize());
      linear(specs, layer.child("output").child("dense"), config.intermediateSize(), h);
      layerNorm(specs, layer.child("output").child("LayerNorm"), h);
    }
    linear(specs, WeightPath.ROOT.child("classifier"), h, config.numLabels());
    return List.copyOf(specs);
  }

  private static void linear(List<ParameterSpec> specs, WeightPath path, long in, long out) {
    specs.add(new ParameterSpec(path.key("weight"), new long[] {out, in}, Init.NORMAL));
    specs.add(new ParameterSpec(path.key("bias"), new long[] {out}, Init.ZEROS));
  }

  private static void layerNorm(List<ParameterSpec> specs, WeightPath path, long h) {
    specs.add(new ParameterSpec(path.key("weight"), new long[] {h}, Init.ONES));
    specs.add(new ParameterSpec(path.key("bias"), new long[] {h}, Init.ZEROS));
  }


  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
