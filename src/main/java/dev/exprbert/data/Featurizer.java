package dev.exprbert.data;

import dev.exprbert.io.ModelTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentences -> model features: the run_ner alignment of {@link SubwordAligner}, plus sliding windows
 * for sentences longer than {@code maxSeqLength} sub-tokens. Windows end at word boundaries where a
 * whole word fits and overlap by about {@code stride} sub-tokens. In training every window is used
 * with all its labels; in evaluation and prediction each word is predicted exactly once, by the
 * window where its first sub-token has the most context on both sides, and {@link #mergeWordPredictions}
 * puts the pieces back together. No token is dropped: a word longer than a whole window is split
 * across windows and predicted from the window holding its first sub-token.
 */
public final class Featurizer {
  private static final Logger LOG = LoggerFactory.getLogger(Featurizer.class);

  private final SubwordAligner aligner;
  private final int maxSeqLength;
  private final int stride;
  private final int lead;
  private final int trail;

  /** What featurizing a dataset produced; the features are held compactly ([note: compact feature store]). */
  public record Result(FeatureStore features, int sentences, int sentencesWithWindows, int emptyWords) {}

  public Featurizer(ModelTokenizer tokenizer, LabelMap labels, boolean labelAllTokens, int maxSeqLength, int stride) {
    this.aligner = new SubwordAligner(tokenizer, labels, labelAllTokens);
    this.lead = tokenizer.leadingSpecialTokenCount();
    this.trail = tokenizer.specialTokenCount() - lead;
    if (maxSeqLength < tokenizer.specialTokenCount() + 1) {
      throw new IllegalArgumentException("max_seq_length " + maxSeqLength + " leaves no room for text next to the "
          + tokenizer.specialTokenCount() + " special tokens");
    }
    int budget = maxSeqLength - tokenizer.specialTokenCount();
    if (stride < 0 || stride >= budget) {
      throw new IllegalArgumentException("stride must be in [0, " + budget + ") for max_seq_length " + maxSeqLength
          + ", got " + stride);
    }
    this.maxSeqLength = maxSeqLength;
    this.stride = stride;
  }

  /**
   * @param training true: every window keeps all its labels; false: only the words a window owns keep
   *     labels, so evaluation loss and metrics count each word once
   */
  public Result featurize(List<LabeledSentence> sentences, boolean training) {
    FeatureStore.Builder features = FeatureStore.builder();
    int windowed = 0;
    int empty = 0;
    for (int i = 0; i < sentences.size(); i++) {
      LabeledSentence s = sentences.get(i);
      AlignedSentence full;
      try {
        full = s.hasTags() ? aligner.align(s.words(), s.tags()) : aligner.align(s.words());
      } catch (UnknownLabelException e) {
        throw e.inContext(s.location());
      }
      empty += full.emptyWords().length;
      List<Feature> windows = windows(i, full, training);
      if (windows.size() > 1) {
        windowed++;
      }
      windows.forEach(features::add);
    }
    if (windowed > 0) {
      LOG.info("{} of {} sentences are longer than max_seq_length {} and were split into overlapping windows"
          + " (stride {} sub-tokens)", windowed, sentences.size(), maxSeqLength, stride);
    }
    if (empty > 0) {
      LOG.info("{} words became no sub-token at all (e.g. U+FE0F); they are predicted as the default label", empty);
    }
    return new Result(features.build(), sentences.size(), windowed, empty);
  }

  /** The windows of one aligned sentence. */
  List<Feature> windows(int sentenceIndex, AlignedSentence full, boolean training) {
    int words = full.wordCount();
    int content = full.length() - lead - trail;
    int budget = maxSeqLength - lead - trail;
    if (content <= budget) {
      return List.of(new Feature(sentenceIndex, full, nonEmptyWords(full)));
    }
    // content coordinates of each word's first sub-token, and the sorted word starts
    int[] firstPiece = new int[words];
    List<Integer> starts = new ArrayList<>();
    for (int w = 0; w < words; w++) {
      firstPiece[w] = full.isEmptyWord(w) ? -1 : full.wordStart(w) - lead;
      if (firstPiece[w] >= 0) {
        starts.add(firstPiece[w]);
      }
    }
    List<int[]> spans = new ArrayList<>();
    int from = 0;
    while (true) {
      int limit = Math.min(content, from + budget);
      int to = limit;
      if (limit < content) {
        // end after the last whole word that fits; a single word longer than the window is cut
        int lastEnd = -1;
        for (int w = 0; w < words; w++) {
          int end = full.wordEnd(w) - lead;
          if (firstPiece[w] >= from && end <= limit && end > lastEnd) {
            lastEnd = end;
          }
        }
        if (lastEnd > from) {
          to = lastEnd;
        }
      }
      spans.add(new int[] {from, to});
      if (to >= content) {
        break;
      }
      int next = to;
      for (int st : starts) {
        if (st > from && st < to && st >= to - stride) {
          next = st;
          break;
        }
      }
      from = next;
    }
    // each word is owned by the window where its first sub-token has the most context
    int[] owner = new int[words];
    Arrays.fill(owner, -1);
    int[] bestContext = new int[words];
    for (int wi = 0; wi < spans.size(); wi++) {
      int[] span = spans.get(wi);
      for (int w = 0; w < words; w++) {
        int p = firstPiece[w];
        if (p >= span[0] && p < span[1]) {
          int context = Math.min(p - span[0], span[1] - 1 - p);
          if (owner[w] < 0 || context > bestContext[w]) {
            owner[w] = wi;
            bestContext[w] = context;
          }
        }
      }
    }
    List<Feature> out = new ArrayList<>(spans.size());
    for (int wi = 0; wi < spans.size(); wi++) {
      int[] span = spans.get(wi);
      AlignedSentence window = full.window(lead, trail, span[0], span[1]);
      List<Integer> owned = new ArrayList<>();
      for (int w = 0; w < words; w++) {
        if (owner[w] == wi) {
          owned.add(w);
        }
      }
      int[] ownedWords = owned.stream().mapToInt(Integer::intValue).toArray();
      if (!training && window.hasLabels()) {
        window = keepOwnedLabels(window, ownedWords, words);
      }
      out.add(new Feature(sentenceIndex, window, ownedWords));
    }
    return out;
  }

  private static AlignedSentence keepOwnedLabels(AlignedSentence window, int[] ownedWords, int words) {
    long[] labels = window.labelIds();
    int[] wordIds = window.wordIds();
    boolean[] owned = new boolean[words];
    for (int w : ownedWords) {
      owned[w] = true;
    }
    for (int i = 0; i < labels.length; i++) {
      if (wordIds[i] >= 0 && !owned[wordIds[i]]) {
        labels[i] = SubwordAligner.IGNORE_INDEX;
      }
    }
    return window.withLabelIds(labels);
  }

  private static int[] nonEmptyWords(AlignedSentence s) {
    int[] out = new int[s.wordCount() - s.emptyWords().length];
    for (int w = 0, i = 0; w < s.wordCount(); w++) {
      if (!s.isEmptyWord(w)) {
        out[i++] = w;
      }
    }
    return out;
  }

  /**
   * One predicted label id per word of every sentence, from each owning window's prediction at the
   * word's first sub-token; -1 for words with no sub-token (callers use the default label).
   *
   * @param tokenPredictions per feature, the predicted label id at each of its sub-token positions
   * @param wordCounts number of words of each sentence
   */
  public static List<int[]> mergeWordPredictions(List<Feature> features, List<long[]> tokenPredictions, int[] wordCounts) {
    if (features.size() != tokenPredictions.size()) {
      throw new IllegalArgumentException(features.size() + " features but " + tokenPredictions.size() + " predictions");
    }
    List<int[]> out = new ArrayList<>(wordCounts.length);
    for (int count : wordCounts) {
      int[] words = new int[count];
      Arrays.fill(words, -1);
      out.add(words);
    }
    for (int f = 0; f < features.size(); f++) {
      Feature feature = features.get(f);
      long[] predicted = tokenPredictions.get(f);
      for (int w : feature.ownedWords()) {
        out.get(feature.sentenceIndex())[w] = (int) predicted[feature.encoding().wordStart(w)];
      }
    }
    return out;
  }

  /**
   * The probabilities variant of {@link #mergeWordPredictions}, for aggregation strategies that look at
   * every sub-token of a word (Hugging Face's first/average/max): for each word of each sentence, the rows
   * of its sub-tokens ({@code [pieces][labels]}, in order) taken from the window that owns the word. A word
   * with no sub-token gets no rows. A word longer than a whole window is cut; it keeps the pieces of its
   * owning window, which always start with its first sub-token.
   *
   * @param tokenProbabilities per feature, one row per sub-token position ({@code [length][labels]}, padding
   *     rows past the feature's length allowed)
   * @param wordCounts number of words of each sentence
   * @return per sentence, per word, the piece rows (the arrays of {@code tokenProbabilities}, not copies)
   */
  public static List<float[][][]> mergeWordProbabilities(
      List<Feature> features, List<float[][]> tokenProbabilities, int[] wordCounts) {
    if (features.size() != tokenProbabilities.size()) {
      throw new IllegalArgumentException(features.size() + " features but " + tokenProbabilities.size()
          + " probability tables; expected one per feature");
    }
    List<float[][][]> out = new ArrayList<>(wordCounts.length);
    for (int count : wordCounts) {
      float[][][] words = new float[count][][];
      Arrays.fill(words, new float[0][]);
      out.add(words);
    }
    for (int f = 0; f < features.size(); f++) {
      Feature feature = features.get(f);
      float[][] rows = tokenProbabilities.get(f);
      if (rows.length < feature.length()) {
        throw new IllegalArgumentException("feature " + f + " has " + feature.length() + " sub-tokens but "
            + rows.length + " probability rows");
      }
      if (feature.sentenceIndex() >= wordCounts.length) {
        throw new IllegalArgumentException("feature " + f + " belongs to sentence " + feature.sentenceIndex()
            + " but wordCounts covers " + wordCounts.length + " sentences");
      }
      for (int w : feature.ownedWords()) {
        int start = feature.encoding().wordStart(w);
        out.get(feature.sentenceIndex())[w] = Arrays.copyOfRange(rows, start, feature.encoding().wordEnd(w));
      }
    }
    return out;
  }
}
