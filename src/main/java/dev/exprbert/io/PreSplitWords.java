package dev.exprbert.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * How a tokenizer must be set up to encode pre-split words (HF {@code is_split_into_words=True}) the way a model of its
 * family reads running text.
 *
 * <p>[note: add_prefix_space] A byte-level BPE (RoBERTa, GPT-2, ModernBERT) marks a word start by the space before
 * it ({@code Ġ}), and tokenizes each pre-split word on its own: without a space added in front, every word would be
 * encoded as if it started the text, which the model never saw in pre-training. transformers 4 raised for
 * {@code is_split_into_words} on RoBERTa's and GPT-2's fast tokenizers unless they were created with
 * {@code add_prefix_space=True}, and run_ner.py passes it for RoBERTa; transformers 5 no longer raises but still
 * applies {@code add_prefix_space=True} by setting it on the ByteLevel pre-tokenizer and on RobertaProcessing (whose
 * offsets then skip the added space). So every ByteLevel pre-tokenizer (also inside a Sequence) and every
 * RobertaProcessing / ByteLevel post-processor gets {@code add_prefix_space: true} here, whatever tokenizer.json says;
 * the files saved with a model stay as they were read. SentencePiece's Metaspace ({@code prepend_scheme}
 * "always" or "first") already prepends its {@code ▁} to each pre-split word.
 */
final class PreSplitWords {
  private PreSplitWords() {}

  /** Sets add_prefix_space on the byte-level pieces of a parsed tokenizer.json, in place. */
  static void addPrefixSpace(JsonObject tokenizerJson) {
    set(tokenizerJson.get("pre_tokenizer"), "pretokenizers");
    set(tokenizerJson.get("post_processor"), "processors");
  }

  private static void set(JsonElement element, String listKey) {
    if (element == null || !element.isJsonObject()) {
      return;
    }
    JsonObject o = element.getAsJsonObject();
    JsonElement type = o.get("type");
    String name = type != null && type.isJsonPrimitive() ? type.getAsString() : "";
    if (name.equals("ByteLevel") || name.equals("RobertaProcessing")) {
      o.addProperty("add_prefix_space", true);
    }
    if (o.get(listKey) instanceof JsonArray list) {
      for (JsonElement inner : list) {
        set(inner, listKey);
      }
    }
  }
}
