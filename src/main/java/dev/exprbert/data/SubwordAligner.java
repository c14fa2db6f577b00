package dev.exprbert.data;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.WordEncoding;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Tokenizes pre-split words and aligns word tags to sub-tokens with run_ner.py's semantics.
 *
 * <p>Words are encoded as one pre-tokenized sequence (HF {@code is_split_into_words=True}), never
 * joined into a string, so each sub-token's word id is the index of the word it came from. The
 * first sub-token of a word carries the word's label; continuation sub-tokens and special tokens
 * carry {@link #IGNORE_INDEX}, or with {@code labelAllTokens} the word's label with B-X turned into
 * I-X ({@link LabelMap#continuationId}). Alignment follows word ids, not positions, so a word that
 * yields no sub-token (U+FE0F alone; characters an uncased normalizer drops) leaves the labels of
 * the words after it in place. No truncation here: {@link AlignedSentence#exceedsLength} tells the
 * featurizer where windows are needed.
 */
public final class SubwordAligner {
  /** The label id cross-entropy ignores (PyTorch's default ignore_index, HF's -100). */
  public static final int IGNORE_INDEX = -100;

  /**
   * [note: no batch API for pre-tokenized input] DJL 0.38's batchEncode takes only raw strings
   * (its JNI batchEncode builds single-string inputs), so batches of word lists are encoded by
   * calling encode(String[]) from several threads; the Rust tokenizer is immutable after loading
   * and DJL's encode keeps no Java-side state. On the 2-core, heavily shared development box the
   * parallel path measured the same as the sequential one (wnut17 train: 620-1030 ms vs 570-1060
   * ms); it is there for machines with idle cores. Below this many sentences threads cost more than
   * they save.
   */
  private static final int PARALLEL_THRESHOLD = 64;

  private final ModelTokenizer tokenizer;
  private final LabelMap labels;
  private final boolean labelAllTokens;

  /**
   * @param labels the label map for tagged input; null when only untagged words will be aligned
   * @param labelAllTokens run_ner's --label_all_tokens
   */
  public SubwordAligner(ModelTokenizer tokenizer, LabelMap labels, boolean labelAllTokens) {
    if (tokenizer == null) {
      throw new IllegalArgumentException("tokenizer is null; expected a loaded ModelTokenizer");
    }
    this.tokenizer = tokenizer;
    this.labels = labels;
    this.labelAllTokens = labelAllTokens;
  }

  /** Tokenizes untagged words (prediction). */
  public AlignedSentence align(List<String> words) {
    return align(words, null);
  }

  /**
   * Tokenizes {@code words} and, when {@code tags} is not null, aligns one tag per word.
   *
   * @throws UnknownLabelException listing every tag the label map lacks
   */
  public AlignedSentence align(List<String> words, List<String> tags) {
    if (words == null) {
      throw new IllegalArgumentException("words is null; expected a list of pre-split words");
    }
    int[] wordLabels = tags == null ? null : wordLabelIds(words, tags);
    return alignEncoding(tokenizer.encodeWords(words), words.size(), wordLabels);
  }

  /**
   * Aligns many sentences, encoding them on several threads when there are enough of them.
   *
   * @param tags one tag list per sentence, or null for untagged input
   */
  public List<AlignedSentence> alignAll(List<List<String>> sentences, List<List<String>> tags) {
    if (sentences == null) {
      throw new IllegalArgumentException("sentences is null; expected a list of word lists");
    }
    if (tags != null && tags.size() != sentences.size()) {
      throw new IllegalArgumentException(
          "tags has " + tags.size() + " sentences; expected one per sentence (" + sentences.size() + ")");
    }
    // Labels first, in order, so the first bad sentence is the one reported.
    int[][] wordLabels = new int[sentences.size()][];
    for (int s = 0; s < sentences.size(); s++) {
      if (sentences.get(s) == null) {
        throw new IllegalArgumentException("sentences[" + s + "] is null; expected a list of words");
      }
      if (tags != null) {
        if (tags.get(s) == null) {
          throw new IllegalArgumentException("tags[" + s + "] is null; expected one tag per word");
        }
        try {
          wordLabels[s] = wordLabelIds(sentences.get(s), tags.get(s));
        } catch (UnknownLabelException e) {
          throw e.inContext("sentence " + s);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("sentence " + s + ": " + e.getMessage(), e);
        }
      }
    }
    IntStream indices = IntStream.range(0, sentences.size());
    if (sentences.size() >= PARALLEL_THRESHOLD) {
      indices = indices.parallel();
    }
    AlignedSentence[] aligned = new AlignedSentence[sentences.size()];
    indices.forEach(s -> aligned[s] = alignInSentence(s, sentences.get(s), wordLabels[s]));
    return new ArrayList<>(Arrays.asList(aligned));
  }

  private AlignedSentence alignInSentence(int index, List<String> words, int[] wordLabels) {
    try {
      return alignEncoding(tokenizer.encodeWords(words), words.size(), wordLabels);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sentence " + index + ": " + e.getMessage(), e);
    }
  }

  private int[] wordLabelIds(List<String> words, List<String> tags) {
    if (labels == null) {
      throw new IllegalStateException("tags were given but this aligner has no label map");
    }
    if (tags.size() != words.size()) {
      throw new IllegalArgumentException(
          "got " + tags.size() + " tags for " + words.size() + " words; expected one tag per word");
    }
    return labels.ids(tags);
  }

  private AlignedSentence alignEncoding(WordEncoding encoding, int wordCount, int[] wordLabels) {
    long[] rawWordIds = encoding.wordIds();
    int length = rawWordIds.length;
    int[] wordIds = new int[length];
    int[] starts = new int[wordCount];
    int[] ends = new int[wordCount];
    Arrays.fill(starts, -1);
    for (int t = 0; t < length; t++) {
      long word = rawWordIds[t];
      if (word < -1 || word >= wordCount) {
        throw new IllegalStateException(
            "tokenizer returned word id " + word + " at sub-token " + t + " for " + wordCount + " words");
      }
      wordIds[t] = (int) word;
      if (word < 0) {
        continue;
      }
      int w = (int) word;
      if (starts[w] < 0) {
        starts[w] = t;
      } else if (ends[w] != t) {
        throw new IllegalStateException(
            "sub-tokens of word " + w + " are not contiguous (at " + ends[w] + " and " + t + ")");
      }
      ends[w] = t + 1;
    }
    placeEmptyWords(starts, ends, tokenizer.leadingSpecialTokenCount());
    long[] labelIds = wordLabels == null ? null : subTokenLabels(wordIds, wordLabels);
    return new AlignedSentence(
        encoding.inputIds(), encoding.tokenTypeIds(), encoding.attentionMask(), wordIds, labelIds, starts, ends);
  }

  /** An empty word sits right after the sub-tokens of the words before it. */
  private static void placeEmptyWords(int[] starts, int[] ends, int leadingSpecialTokens) {
    int cursor = leadingSpecialTokens;
    for (int w = 0; w < starts.length; w++) {
      if (starts[w] < 0) {
        starts[w] = cursor;
        ends[w] = cursor;
      } else {
        cursor = ends[w];
      }
    }
  }

  /** run_ner.py's tokenize_and_align_labels, keyed on word ids. */
  private long[] subTokenLabels(int[] wordIds, int[] wordLabels) {
    long[] labelIds = new long[wordIds.length];
    int previous = -1;
    for (int t = 0; t < wordIds.length; t++) {
      int word = wordIds[t];
      if (word < 0) {
        labelIds[t] = IGNORE_INDEX;
      } else if (word != previous) {
        labelIds[t] = wordLabels[word];
      } else {
        labelIds[t] = labelAllTokens ? labels.continuationId(wordLabels[word]) : IGNORE_INDEX;
      }
      previous = word;
    }
    return labelIds;
  }
}
