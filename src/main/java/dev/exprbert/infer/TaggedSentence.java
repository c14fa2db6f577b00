package dev.exprbert.infer;

import java.util.List;

/**
 * The tagger's answer for one input: the text, its words, one tag per word and the spans.
 *
 * @param text the raw text, or the pre-split words joined by single spaces (offsets index this string)
 * @param tags one label per word: the strategy's word-level decision (the first sub-token's argmax for
 *     none/simple/first, the averaged or maximal sub-token for average/max); a word the tokenizer turns
 *     into no sub-token gets the default label ("O" when the model has it)
 * @param spans the labelled spans in text order, ignored labels ("O") left out
 */
public record TaggedSentence(String text, List<Word> words, List<String> tags, List<Span> spans) {
  public TaggedSentence {
    words = List.copyOf(words);
    tags = List.copyOf(tags);
    spans = List.copyOf(spans);
    if (tags.size() != words.size()) {
      throw new IllegalArgumentException(words.size() + " words but " + tags.size() + " tags");
    }
  }
}
