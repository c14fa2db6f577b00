package dev.exprbert.testing;

import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.deberta.DebertaV2Config;
import dev.exprbert.model.distilbert.DistilBertConfig;
import dev.exprbert.model.electra.ElectraFamily;
import dev.exprbert.model.modernbert.ModernBertConfig;
import dev.exprbert.model.roberta.RobertaFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny random-init configuration of every supported family with a real tokenizer of its kind: MiniLM's WordPiece
 * for BERT, DistilBERT and ELECTRA, the small byte-level BPEs for RoBERTa and ModernBERT, the small Unigrams for XLM-R
 * and DeBERTa ({@link TestTokenizers}). Two layers, hidden 32, two heads, 64 positions (RoBERTa's 66 = 64 +
 * padding_idx + 1; DeBERTa's 8 position buckets).
 */
public final class TinyFamilies {
  /** The model types, in the order tests run them. */
  public static final List<String> MODEL_TYPES = List.of("bert", "roberta", "xlm-roberta", "distilbert", "electra",
      "deberta-v2", "modernbert");

  private static final int MINILM_VOCAB = 30522;
  /** The ModernBERT-style test BPE: 1000 pieces, then [UNK] [CLS] [SEP] [PAD] [MASK]. */
  private static final int MODERNBERT_VOCAB = 1005;

  private TinyFamilies() {}

  /** The tiny config of {@code modelType} with two labels (callers give it the data's labels). */
  public static EncoderConfig config(String modelType) {
    return switch (modelType) {
      case "bert" -> BertConfig.builder().vocabSize(MINILM_VOCAB).hiddenSize(32).numHiddenLayers(2).numAttentionHeads(2)
          .intermediateSize(64).maxPositionEmbeddings(64).padTokenId(0).build();
      case "roberta" -> roberta(RobertaFamily.ROBERTA, 1000);
      case "xlm-roberta" -> roberta(RobertaFamily.XLM_ROBERTA, 1001);
      case "distilbert" -> DistilBertConfig.builder().vocabSize(MINILM_VOCAB).dim(32).nLayers(2).nHeads(2).hiddenDim(64)
          .maxPositionEmbeddings(64).build();
      case "electra" -> BertConfig.builder(ElectraFamily.ELECTRA).vocabSize(MINILM_VOCAB).embeddingSize(16).hiddenSize(32)
          .numHiddenLayers(2).numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(64).padTokenId(0).build();
      case "deberta-v2" -> DebertaV2Config.builder().set("vocab_size", 1001).set("hidden_size", 32)
          .set("num_hidden_layers", 2).set("num_attention_heads", 2).set("intermediate_size", 64)
          .set("max_position_embeddings", 64).set("position_buckets", 8).build();
      // one global and one local layer, whose window (4 tokens each side) is shorter than most OpeNER sentences
      case "modernbert" -> ModernBertConfig.builder().vocabSize(MODERNBERT_VOCAB).hiddenSize(32).numHiddenLayers(2)
          .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(64).localAttention(8).padTokenId(1003).build();
      default -> throw new IllegalArgumentException("no tiny config for model_type " + modelType);
    };
  }

  private static BertConfig roberta(RobertaFamily family, int vocab) {
    return BertConfig.builder(family).vocabSize(vocab).hiddenSize(32).numHiddenLayers(2).numAttentionHeads(2)
        .intermediateSize(64).maxPositionEmbeddings(66).typeVocabSize(1).layerNormEps(1e-5).padTokenId(1).build();
  }

  /** A directory holding the tokenizer {@code modelType}'s checkpoints come with, created under {@code parent}. */
  public static Path tokenizer(String modelType, Path parent) throws IOException {
    return switch (modelType) {
      case "roberta" -> TestTokenizers.robertaBpe(parent);
      case "xlm-roberta" -> TestTokenizers.xlmRobertaUnigram(parent);
      case "deberta-v2" -> TestTokenizers.debertaV3Unigram(parent);
      case "modernbert" -> TestTokenizers.modernBertBpe(parent);
      default -> TestTokenizers.miniLm(parent);
    };
  }
}
