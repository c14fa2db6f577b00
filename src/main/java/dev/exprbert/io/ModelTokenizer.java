package dev.exprbert.io;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A model directory's tokenizer, loaded by {@link TokenizerLoader}: the HF tokenizer (never
 * truncating, never padding) plus the facts later stages need (special-token count, pad id, the
 * model's length limit) and the files to write into an output model directory.
 *
 * <p>Thread-safe for encoding: the native tokenizer is immutable after loading.
 */
public final class ModelTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final Path sourceDirectory;
  private final Map<String, byte[]> filesToSave;
  private final boolean lowercases;
  private final OptionalInt modelMaxLength;
  private final Integer padTokenId;
  private final String padToken;
  private final int specialTokenCount;
  private final int leadingSpecialTokenCount;
  private final int vocabularySize;
  private final TokenizerKind kind;

  ModelTokenizer(
      HuggingFaceTokenizer tokenizer,
      Path sourceDirectory,
      Map<String, byte[]> filesToSave,
      boolean lowercases,
      OptionalInt modelMaxLength,
      String padToken,
      Integer padTokenId,
      int vocabularySize,
      TokenizerKind kind) {
    this.tokenizer = tokenizer;
    this.sourceDirectory = sourceDirectory;
    this.filesToSave = Collections.unmodifiableMap(new LinkedHashMap<>(filesToSave));
    this.lowercases = lowercases;
    this.modelMaxLength = modelMaxLength;
    this.padToken = padToken;
    this.padTokenId = padTokenId;
    this.vocabularySize = vocabularySize;
    this.kind = kind;
    this.specialTokenCount = tokenizer.encode(new String[0], true, false).getIds().length;
    this.leadingSpecialTokenCount = leadingSpecials(tokenizer);
  }

  /** Where word 0 lands in an encoding of one word: 1 for BERT's [CLS]. */
  private static int leadingSpecials(HuggingFaceTokenizer tokenizer) {
    long[] wordIds = tokenizer.encode(new String[] {"a"}, true, false).getWordIds();
    for (int t = 0; t < wordIds.length; t++) {
      if (wordIds[t] == 0) {
        return t;
      }
    }
    throw new IllegalStateException("the tokenizer produced no token for the word \"a\"");
  }

  /**
   * Encodes pre-split words as one pre-tokenized sequence (HF {@code is_split_into_words=True}),
   * adding the special tokens.
   *
   * <p>[note: lean encoding] DJL's {@code HuggingFaceTokenizer.encode} copies seven arrays out of
   * the native encoding, and its token char spans cost a JNI class lookup per token. We read the
   * four arrays a model needs straight from DJL's public {@code TokenizersLibrary} and free the
   * native encoding ourselves. Measured on wnut17 train (3394 sentences, MiniLM, a 2-core box at
   * load 6, four repetitions): DJL encode 880-1855 ms, this path 530-1040 ms, i.e. 0.55-0.75x.
   */
  public WordEncoding encodeWords(List<String> words) {
    String[] array = toArray(words);
    long encoding = TokenizersLibrary.LIB.encodeList(tokenizer.getHandle(), array, true);
    try {
      return new WordEncoding(
          TokenizersLibrary.LIB.getTokenIds(encoding),
          TokenizersLibrary.LIB.getTypeIds(encoding),
          TokenizersLibrary.LIB.getAttentionMask(encoding),
          TokenizersLibrary.LIB.getWordIds(encoding));
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /**
   * The words of a raw text as this tokenizer's own normalizer and pre-tokenizer split it (its word ids and character
   * offsets, no hand-written copy of its rules): whitespace and punctuation for BERT's WordPiece, GPT-2's regex for
   * byte-level BPE (punctuation runs apart from letters), whitespace for SentencePiece's Metaspace (punctuation stays
   * on its word). A word spans its tokens' offsets, trimmed of whitespace at both ends; one with no characters left
   * (a byte-level BPE's whitespace-only pieces, characters the normalizer removes) is no word. Offsets are UTF-16
   * indices into {@code text}, surrogate pairs included.
   */
  public List<WordSpan> wordSpans(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text is null; expected a string (possibly empty)");
    }
    Encoding encoding = tokenizer.encode(text, false, false);
    long[] wordIds = encoding.getWordIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    int[] utf16 = codePointIndex(text);
    List<WordSpan> words = new ArrayList<>();
    long current = -1;
    int start = Integer.MAX_VALUE;
    int end = -1;
    for (int t = 0; t <= wordIds.length; t++) {
      long word = t < wordIds.length ? wordIds[t] : -2;
      if (word != current) {
        addTrimmed(words, text, utf16, start, end);
        current = word;
        start = Integer.MAX_VALUE;
        end = -1;
      }
      CharSpan span = t < wordIds.length ? spans[t] : null;
      if (word >= 0 && span != null && span.getEnd() > span.getStart()) {
        start = Math.min(start, span.getStart());
        end = Math.max(end, span.getEnd());
      }
    }
    return words;
  }

  /** Adds code points [start, end) of {@code text} as a word, trimmed of whitespace; nothing when none is left. */
  private static void addTrimmed(List<WordSpan> words, String text, int[] utf16, int start, int end) {
    if (end <= start) {
      return;
    }
    int from = utf16[Math.min(start, utf16.length - 1)];
    int to = utf16[Math.min(end, utf16.length - 1)];
    while (from < to && isSpace(text.codePointAt(from))) {
      from += Character.charCount(text.codePointAt(from));
    }
    while (to > from && isSpace(text.codePointBefore(to))) {
      to -= Character.charCount(text.codePointBefore(to));
    }
    if (to > from) {
      words.add(new WordSpan(from, to));
    }
  }

  /** Whitespace as tokenizers mean it: Java's whitespace plus the Unicode space separators (no-break space...). */
  private static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /** utf16[i] = the UTF-16 index of code point i of {@code text}; utf16[codePointCount] = text.length(). */
  private static int[] codePointIndex(String text) {
    int[] out = new int[text.codePointCount(0, text.length()) + 1];
    int cp = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      out[cp++] = i;
    }
    out[cp] = text.length();
    return out;
  }

  /** The sub-token strings of {@code words}, special tokens included (for reports and debugging). */
  public List<String> tokens(List<String> words) {
    return List.of(tokenizer.encode(toArray(words), true, false).getTokens());
  }

  private static String[] toArray(List<String> words) {
    if (words == null) {
      throw new IllegalArgumentException("words is null; expected a list of pre-split words");
    }
    String[] array = new String[words.size()];
    for (int i = 0; i < array.length; i++) {
      String word = words.get(i);
      if (word == null) {
        throw new IllegalArgumentException("words[" + i + "] is null; expected a string");
      }
      array[i] = word;
    }
    return array;
  }

  /**
   * How many token ids the tokenizer can produce (highest id + 1, added tokens included): a model's
   * word-embedding table needs at least this many rows.
   */
  public int vocabularySize() {
    return vocabularySize;
  }

  /** The sub-word model of tokenizer.json (WordPiece, byte-level BPE, Unigram...). */
  public TokenizerKind kind() {
    return kind;
  }

  /** How many special tokens encoding adds around one sequence (2 for BERT: [CLS] and [SEP]). */
  public int specialTokenCount() {
    return specialTokenCount;
  }

  /** How many special tokens precede the first word ([CLS] for BERT: 1). */
  public int leadingSpecialTokenCount() {
    return leadingSpecialTokenCount;
  }

  /** Whether the normalizer lower-cases input (BertNormalizer's lowercase). */
  public boolean lowercases() {
    return lowercases;
  }

  /** tokenizer_config.json's model_max_length, empty when absent or "unlimited" (1e30). */
  public OptionalInt modelMaxLength() {
    return modelMaxLength;
  }

  /** The id of the padding token, for batching. */
  public int padTokenId() {
    if (padTokenId == null) {
      throw new IllegalStateException(
          sourceDirectory + ": the pad token \"" + padToken
              + "\" is in neither the added tokens nor the vocabulary of this tokenizer");
    }
    return padTokenId;
  }

  /** The directory this tokenizer was loaded from. */
  public Path sourceDirectory() {
    return sourceDirectory;
  }

  /** The file names {@link #save} writes. */
  public List<String> savedFileNames() {
    return List.copyOf(filesToSave.keySet());
  }

  /**
   * Writes the tokenizer files into {@code dir} (created if needed): the files read at load time,
   * byte for byte, and a generated tokenizer.json when the source had only vocab.txt, so that HF
   * and this loader read the output directory the same way.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> file : filesToSave.entrySet()) {
      Files.write(dir.resolve(file.getKey()), file.getValue());
    }
  }

  /** The underlying DJL tokenizer, for decoding and inspection. */
  public HuggingFaceTokenizer huggingFaceTokenizer() {
    return tokenizer;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
