package dev.exprbert.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * What kind of sub-word model a tokenizer.json holds, which is what decides whether a tokenizer fits a model family
 * and how pre-split words must be encoded.
 */
public enum TokenizerKind {
  /** BERT's WordPiece ({@code model.type} "WordPiece"): BERT, DistilBERT, ELECTRA. */
  WORDPIECE("a WordPiece tokenizer"),
  /** GPT-2's byte-level BPE ({@code model.type} "BPE" with a ByteLevel pre-tokenizer): RoBERTa, ModernBERT. */
  BYTE_LEVEL_BPE("a byte-level BPE tokenizer"),
  /** BPE without byte-level pre-tokenization. */
  BPE("a (non byte-level) BPE tokenizer"),
  /** SentencePiece Unigram ({@code model.type} "Unigram"): XLM-RoBERTa, DeBERTa-v3. */
  UNIGRAM("a SentencePiece Unigram tokenizer"),
  /** A whole-word vocabulary ({@code model.type} "WordLevel"). */
  WORD_LEVEL("a word-level tokenizer"),
  /** A model type this list does not know. */
  OTHER("a tokenizer of an unknown kind");

  private final String description;

  TokenizerKind(String description) {
    this.description = description;
  }

  /** "a WordPiece tokenizer", for messages. */
  public String description() {
    return description;
  }

  /** The kind of a parsed tokenizer.json. */
  static TokenizerKind of(JsonObject tokenizerJson) {
    JsonElement model = tokenizerJson.get("model");
    String type = model != null && model.isJsonObject() ? string(model.getAsJsonObject().get("type")) : null;
    if (type == null) {
      return OTHER;
    }
    return switch (type) {
      case "WordPiece" -> WORDPIECE;
      case "BPE" -> hasByteLevel(tokenizerJson.get("pre_tokenizer")) ? BYTE_LEVEL_BPE : BPE;
      case "Unigram" -> UNIGRAM;
      case "WordLevel" -> WORD_LEVEL;
      default -> OTHER;
    };
  }

  /** Whether a pre-tokenizer is, or holds in a Sequence, a ByteLevel one. */
  static boolean hasByteLevel(JsonElement preTokenizer) {
    if (preTokenizer == null || !preTokenizer.isJsonObject()) {
      return false;
    }
    JsonObject p = preTokenizer.getAsJsonObject();
    if ("ByteLevel".equals(string(p.get("type")))) {
      return true;
    }
    if (p.get("pretokenizers") instanceof JsonArray list) {
      for (JsonElement inner : list) {
        if (hasByteLevel(inner)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String string(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }
}
