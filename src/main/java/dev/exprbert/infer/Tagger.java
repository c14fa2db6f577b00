package dev.exprbert.infer;

import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.Window;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.WordSpan;
import dev.exprbert.model.crf.ViterbiDecoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Text in, labelled spans out: Hugging Face's token-classification pipeline on a {@link TokenClassifier}.
 *
 * <ol>
 *   <li>Raw text is split into words with character offsets by the model's own tokenizer
 *       ({@link ModelTokenizer#wordSpans}: its normalizer and pre-tokenizer, whatever the family); pre-split words are
 *       joined by single spaces, as HF does with {@code is_split_into_words}, and the offsets index that joined
 *       string. Either way the words are then encoded as pre-split words, as the model was trained.</li>
 *   <li>Words are encoded as pre-split input and cut into windows by {@link Featurizer} when longer than
 *       the model allows ({@link Window}, the rule training and evaluation use too); each word is predicted exactly
 *       once, by the window where it has most context.</li>
 *   <li>Windows run through the model in batches (sorted by length, to pad little); logits become
 *       probabilities by softmax.</li>
 *   <li>{@link Aggregation} turns probabilities into word tags and spans ({@link SpanGrouper}). A model with a CRF
 *       takes its word tags from Viterbi instead, over the sentence's merged windows as one chain (log-probabilities
 *       rank paths as the logits do); each word is then one unit scored by its first sub-token's probability of its
 *       tag, so {@code simple} groups words as {@code first} does.</li>
 * </ol>
 *
 * <p>Thread-safe: a Tagger holds no mutable state; tokenization and aggregation run in each caller's
 * thread with per-call arrays, and the forward pass is serialised by the classifier's lock
 * ({@link TokenClassifier}). The Tagger does not own the classifier: close that yourself.
 */
public final class Tagger {
  private final TokenClassifier classifier;
  private final WindowScorer scorer;
  private final TaggerOptions options;
  private final Featurizer featurizer;
  private final List<String> labels;

  public Tagger(TokenClassifier classifier) {
    this(classifier, TaggerOptions.defaults());
  }

  public Tagger(TokenClassifier classifier, TaggerOptions options) {
    this(classifier, options, classifier);
  }

  /** A tagger whose forward passes go through {@code scorer} (a server's batcher) instead of the classifier directly. */
  public Tagger(TokenClassifier classifier, TaggerOptions options, WindowScorer scorer) {
    if (classifier == null || options == null || scorer == null) {
      throw new IllegalArgumentException("Tagger needs a classifier, options and a scorer, got " + classifier + ", " + options
          + ", " + scorer);
    }
    this.classifier = classifier;
    this.scorer = scorer;
    this.options = options;
    this.labels = classifier.config().labels();
    Window window = Window.resolve(options.maxSeqLength(), options.stride(), classifier.config().maxSequenceLength(),
        classifier.tokenizer());
    this.featurizer = new Featurizer(classifier.tokenizer(), null, false, window.maxSeqLength(), window.stride());
  }

  public TaggerOptions options() {
    return options;
  }

  /** Tags one raw text. */
  public TaggedSentence tagText(String text) {
    return tagTexts(List.of(text)).get(0);
  }

  /** Tags raw texts, each split into words by the tokenizer ({@link ModelTokenizer#wordSpans}); an empty text gives no words. */
  public List<TaggedSentence> tagTexts(List<String> texts) {
    if (texts == null) {
      throw new IllegalArgumentException("texts is null; expected a list of strings");
    }
    List<String> joined = new ArrayList<>(texts.size());
    List<List<Word>> words = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("texts[" + i + "] is null; expected a string");
      }
      joined.add(texts.get(i));
      words.add(words(texts.get(i)));
    }
    return tag(joined, words);
  }

  /** The words of a raw text, where the tokenizer finds them. */
  private List<Word> words(String text) {
    List<Word> out = new ArrayList<>();
    for (WordSpan span : classifier.tokenizer().wordSpans(text)) {
      out.add(new Word(text.substring(span.start(), span.end()), span.start(), span.end()));
    }
    return out;
  }

  /** Tags pre-split sentences; offsets index the words joined by single spaces. */
  public List<TaggedSentence> tagWords(List<List<String>> sentences) {
    if (sentences == null) {
      throw new IllegalArgumentException("sentences is null; expected a list of word lists");
    }
    List<String> joined = new ArrayList<>(sentences.size());
    List<List<Word>> words = new ArrayList<>(sentences.size());
    for (int i = 0; i < sentences.size(); i++) {
      List<String> sentence = sentences.get(i);
      if (sentence == null) {
        throw new IllegalArgumentException("sentences[" + i + "] is null; expected a list of words");
      }
      List<Word> placed = new ArrayList<>(sentence.size());
      int offset = 0;
      for (int w = 0; w < sentence.size(); w++) {
        String word = sentence.get(w);
        if (word == null || word.isEmpty()) {
          throw new IllegalArgumentException("sentences[" + i + "][" + w + "] is " + (word == null ? "null" : "empty")
              + "; expected a word of at least one character");
        }
        placed.add(new Word(word, offset, offset + word.length()));
        offset += word.length() + 1;
      }
      joined.add(String.join(" ", sentence));
      words.add(placed);
    }
    return tag(joined, words);
  }

  private List<TaggedSentence> tag(List<String> texts, List<List<Word>> words) {
    List<LabeledSentence> toEncode = new ArrayList<>();
    List<Integer> encodedIndex = new ArrayList<>(); // position in toEncode -> position in texts
    for (int i = 0; i < words.size(); i++) {
      if (!words.get(i).isEmpty()) {
        toEncode.add(new LabeledSentence(words.get(i).stream().map(Word::text).toList(), null, "input", i + 1));
        encodedIndex.add(i);
      }
    }
    List<float[][][]> wordPieces = toEncode.isEmpty() ? List.of() : predict(toEncode);
    ViterbiDecoder crf = toEncode.isEmpty() ? null : classifier.crfDecoder();
    List<TaggedSentence> out = new ArrayList<>(texts.size());
    for (int i = 0, e = 0; i < texts.size(); i++) {
      if (e < encodedIndex.size() && encodedIndex.get(e) == i) {
        out.add(aggregate(texts.get(i), words.get(i), wordPieces.get(e), crf));
        e++;
      } else {
        out.add(new TaggedSentence(texts.get(i), List.of(), List.of(), List.of()));
      }
    }
    return out;
  }

  /** Per sentence, per word, the probability rows of the word's pieces. */
  private List<float[][][]> predict(List<LabeledSentence> sentences) {
    // built once from the compact store: a chunk of prediction input is small, and each feature is read twice below
    List<Feature> features = new ArrayList<>(featurizer.featurize(sentences, false).features());
    // batch windows of similar length together; results go back to feature order
    List<Integer> order = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      order.add(f);
    }
    order.sort(Comparator.comparingInt(f -> features.get(f).length()));
    float[][][] tables = new float[features.size()][][];
    for (int start = 0; start < order.size(); start += options.batchSize()) {
      List<Integer> chunk = order.subList(start, Math.min(order.size(), start + options.batchSize()));
      List<AlignedSentence> encodings = chunk.stream().map(f -> features.get(f).encoding()).toList();
      List<float[][]> probabilities = scorer.tokenProbabilities(encodings);
      for (int k = 0; k < chunk.size(); k++) {
        tables[chunk.get(k)] = probabilities.get(k);
      }
    }
    int[] wordCounts = sentences.stream().mapToInt(LabeledSentence::size).toArray();
    return Featurizer.mergeWordProbabilities(features, List.of(tables), wordCounts);
  }

  /**
   * The log of each probability, the CRF's emissions up to a constant per position; a probability that underflowed to
   * 0 becomes the log of the smallest float, so no path is ruled out by rounding.
   */
  private static float[][][] logProbabilities(float[][][] pieces) {
    float[][][] out = new float[pieces.length][][];
    for (int w = 0; w < pieces.length; w++) {
      out[w] = new float[pieces[w].length][];
      for (int k = 0; k < pieces[w].length; k++) {
        float[] p = pieces[w][k];
        float[] logs = new float[p.length];
        for (int l = 0; l < p.length; l++) {
          logs[l] = (float) Math.log(Math.max(p[l], Float.MIN_VALUE));
        }
        out[w][k] = logs;
      }
    }
    return out;
  }

  private TaggedSentence aggregate(String text, List<Word> words, float[][][] pieces, ViterbiDecoder crf) {
    Aggregation strategy = options.aggregation();
    List<String> tags = new ArrayList<>(words.size());
    List<SpanGrouper.Unit> units = new ArrayList<>();
    int[] viterbi = crf == null ? null : crf.decodeWords(logProbabilities(pieces));
    int[][][] offsets = strategy == Aggregation.SIMPLE && crf == null ? PieceOffsets.of(classifier.tokenizer(), words)
        : null;
    for (int w = 0; w < words.size(); w++) {
      Word word = words.get(w);
      if (pieces[w].length == 0) {
        tags.add(classifier.defaultLabel()); // no sub-token: nothing for the model to say
        continue;
      }
      if (viterbi != null) {
        String label = labels.get(viterbi[w]);
        tags.add(label);
        units.add(new SpanGrouper.Unit(label, pieces[w][0][viterbi[w]], word.start(), word.end(), w));
        continue;
      }
      SpanGrouper.Choice choice = SpanGrouper.wordChoice(pieces[w], strategy);
      tags.add(labels.get(choice.label()));
      if (strategy == Aggregation.SIMPLE) {
        for (int k = 0; k < pieces[w].length; k++) {
          int best = SpanGrouper.argmax(pieces[w][k]);
          int[] at = k < offsets[w].length ? offsets[w][k] : new int[] {word.start(), word.end()};
          units.add(new SpanGrouper.Unit(labels.get(best), pieces[w][k][best], at[0], at[1], w));
        }
      } else {
        units.add(new SpanGrouper.Unit(labels.get(choice.label()), choice.score(), word.start(), word.end(), w));
      }
    }
    List<Span> spans = strategy == Aggregation.NONE
        ? SpanGrouper.ungrouped(units, text, options.ignoredTypes())
        : SpanGrouper.group(units, text, options.ignoredTypes());
    return new TaggedSentence(text, words, tags, spans);
  }
}
