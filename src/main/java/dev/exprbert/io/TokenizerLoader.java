package dev.exprbert.io;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the tokenizer of an HF model directory with DJL's Rust tokenizers, offline.
 *
 * <p>Sources, in order: {@code tokenizer.json} (adjusted by what tokenizer_config.json states
 * explicitly: do_lower_case, strip_accents, tokenize_chinese_chars), else {@code vocab.txt}
 * converted to the equivalent BERT WordPiece tokenizer.json ({@link BertTokenizerJson}).
 * Truncation and padding are always off; windows are the featurizer's decision.
 *
 * <p>[note: DJL offline] The tokenizers jar carries its native library (extracted once to
 * ~/.djl.ai/tokenizers/, or $ENGINE_CACHE_DIR/tokenizers/), so loading downloads nothing. But every
 * {@code HuggingFaceTokenizer.newInstance} calls {@code Ec2Utils.callHome}, which probes the EC2
 * metadata endpoint (http://169.254.169.254) and a telemetry URL once a day unless
 * {@code OPT_OUT_TRACKING=true} or offline mode ({@code ai.djl.offline=true} / env
 * {@code DJL_OFFLINE}) is set. We set both system properties unless the user already chose; an
 * environment variable of the same name still wins (DJL reads env first).
 *
 * <p>[note: DJL's GPU probe] Loading the native library, DJL picks its build by platform
 * ({@code ai.djl.util.Platform.detectPlatform}, which calls {@code fromSystem} twice), and each call asks
 * {@code ai.djl.util.cuda.CudaUtils.getGpuCount()}, which loads libcudart through JNA. On a machine with
 * the CUDA runtime but no driver that logs "Failed to detect GPU count: CUDA driver version is
 * insufficient" at WARN, twice, in every command. The answer does not matter to us: the tokenizers jar
 * ships one CPU build, and LibTorch finds GPUs on its own. So the slf4j-simple level of exactly that
 * logger is raised to ERROR (and DJL's INFO line naming the platform file to WARN), through the
 * {@code org.slf4j.simpleLogger.log.<name>} system properties, unless the user set them; DJL's other
 * loggers keep their levels. (The alternative switch, {@code ai.djl.util.cuda.fork=true}, starts a
 * second JVM to probe, which costs more than the message.)
 *
 * <p>[note: DJL's tokenizer build] After that probe DJL's {@code LibUtils} picks the build ("flavor") of its
 * native library: {@code RUST_FLAVOR} (environment, then system property) if set, else {@code cpu} in offline
 * mode, else the platform's flavor, which on a GPU machine is {@code cuXXX}; the jar ships only {@code cpu}
 * builds, so that flavor means a download from DJL's servers, which fails on a machine without network. We set
 * the system property {@code RUST_FLAVOR=cpu} unless the user set either, so the bundled build is used even with
 * DJL's offline mode turned off, and quiet the INFO line DJL logs for the override. This does not skip the GPU probe
 * above, which runs before the flavor is read; on a machine without CUDA the probe finds no libcudart and says
 * nothing.
 */
public final class TokenizerLoader {
  static final String TOKENIZER_JSON = "tokenizer.json";
  private static final List<String> COPIED_FILES =
      List.of(
          TOKENIZER_JSON,
          TokenizerSettings.TOKENIZER_CONFIG,
          TokenizerSettings.SPECIAL_TOKENS_MAP,
          BertTokenizerJson.VOCAB_TXT);
  private static final String ADDED_TOKENS_JSON = "added_tokens.json";
  private static final String SENTENCEPIECE_PAD = "<pad>";
  private static final Map<String, String> DJL_OPTIONS =
      Map.of(
          "addSpecialTokens", "true",
          "withOverflowingTokens", "false",
          "truncation", "false",
          "padding", "false",
          "doLowerCase", "false"); // lower-casing belongs to the normalizer, not DJL's Java code
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  static {
    keepDjlOffline();
  }

  private TokenizerLoader() {}

  /** Loads the tokenizer of {@code modelDir}; see the class comment for the files it reads. */
  public static ModelTokenizer load(Path modelDir) throws IOException {
    if (!Files.isDirectory(modelDir)) {
      throw new NoSuchFileException(
          modelDir.toString(), null, "expected a model directory holding tokenizer.json or vocab.txt");
    }
    Path tokenizerJsonFile = modelDir.resolve(TOKENIZER_JSON);
    Path vocabFile = modelDir.resolve(BertTokenizerJson.VOCAB_TXT);
    TokenizerSettings settings = TokenizerSettings.read(modelDir);

    Map<String, byte[]> filesToSave = new LinkedHashMap<>();
    for (String name : COPIED_FILES) {
      Path file = modelDir.resolve(name);
      if (Files.isRegularFile(file)) {
        filesToSave.put(name, Files.readAllBytes(file));
      }
    }

    JsonObject tokenizerJson;
    Path describedAs;
    if (Files.isRegularFile(tokenizerJsonFile)) {
      describedAs = tokenizerJsonFile;
      tokenizerJson = parseObject(tokenizerJsonFile, filesToSave.get(TOKENIZER_JSON));
      BertTokenizerJson.applyConfigOverrides(tokenizerJson, settings);
    } else if (Files.isRegularFile(vocabFile)) {
      if (Files.exists(modelDir.resolve(ADDED_TOKENS_JSON))) {
        throw new UnsupportedOperationException(
            modelDir.resolve(ADDED_TOKENS_JSON)
                + ": added tokens next to a vocab.txt-only tokenizer are not supported; "
                + "save the tokenizer with transformers to get a tokenizer.json");
      }
      describedAs = vocabFile;
      tokenizerJson = BertTokenizerJson.fromVocab(vocabFile, settings);
      filesToSave.put(TOKENIZER_JSON, GSON.toJson(tokenizerJson).getBytes(StandardCharsets.UTF_8));
    } else {
      throw new NoSuchFileException(
          modelDir.toString(),
          null,
          "no tokenizer found; looked for " + TOKENIZER_JSON + " (HF fast tokenizer) and "
              + BertTokenizerJson.VOCAB_TXT + " (BERT WordPiece vocabulary)");
    }

    int vocabularySize;
    Integer padTokenId;
    String padToken = settings.padToken();
    try {
      vocabularySize = TokenizerJsonVocabulary.size(tokenizerJson, describedAs);
      padTokenId = PadTokenLookup.padTokenId(tokenizerJson, padToken, describedAs);
      if (padTokenId == null && !settings.statesPadToken()) {
        // no tokenizer_config.json naming it: BERT's [PAD] is absent, so try how RoBERTa and XLM-R spell it
        padTokenId = PadTokenLookup.padTokenId(tokenizerJson, SENTENCEPIECE_PAD, describedAs);
        padToken = padTokenId != null ? SENTENCEPIECE_PAD : padToken;
      }
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e); // a bad tokenizer file, like every other problem reported here
    }
    TokenizerJsonChecks.check(tokenizerJson, describedAs);
    TokenizerKind kind = TokenizerKind.of(tokenizerJson);
    BertTokenizerJson.disableTruncationAndPadding(tokenizerJson);
    PreSplitWords.addPrefixSpace(tokenizerJson);
    HuggingFaceTokenizer tokenizer = newDjlTokenizer(tokenizerJson, describedAs);
    try {
      return new ModelTokenizer(
          tokenizer,
          modelDir,
          filesToSave,
          BertTokenizerJson.lowercases(tokenizerJson),
          settings.modelMaxLength(),
          padToken,
          padTokenId,
          vocabularySize,
          kind);
    } catch (RuntimeException e) {
      // the constructor encodes probe words; the Rust side reports a tokenizer that cannot encode them this way
      tokenizer.close();
      throw new IOException(describedAs + ": the tokenizer cannot encode a plain word: " + e.getMessage(), e);
    }
  }

  private static JsonObject parseObject(Path file, byte[] bytes) throws IOException {
    try {
      JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw new IOException(file + ": expected a JSON object at the top level");
      }
      return parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static HuggingFaceTokenizer newDjlTokenizer(JsonObject tokenizerJson, Path describedAs)
      throws IOException {
    byte[] json = GSON.toJson(tokenizerJson).getBytes(StandardCharsets.UTF_8);
    try {
      return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), DJL_OPTIONS);
    } catch (RuntimeException e) {
      // The Rust side reports a malformed tokenizer as a plain RuntimeException.
      throw new IOException(
          describedAs + ": the tokenizers library rejected this tokenizer: " + e.getMessage(), e);
    }
  }

  static final String CUDA_UTILS_LEVEL = "org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils";
  private static final String PLATFORM_LEVEL = "org.slf4j.simpleLogger.log.ai.djl.util.Platform";

  static final String RUST_FLAVOR = "RUST_FLAVOR";
  private static final String LIB_UTILS_LEVEL = "org.slf4j.simpleLogger.log.ai.djl.huggingface.tokenizers.jni.LibUtils";

  private static void keepDjlOffline() {
    if (System.getenv(RUST_FLAVOR) == null && System.getProperty(RUST_FLAVOR) == null) {
      System.setProperty(RUST_FLAVOR, "cpu"); // [note: DJL's tokenizer build]
      if (System.getProperty(LIB_UTILS_LEVEL) == null) {
        System.setProperty(LIB_UTILS_LEVEL, "warn");
      }
    }
    if (System.getProperty(CUDA_UTILS_LEVEL) == null) {
      System.setProperty(CUDA_UTILS_LEVEL, "error");
    }
    if (System.getProperty(PLATFORM_LEVEL) == null) {
      System.setProperty(PLATFORM_LEVEL, "warn");
    }
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
  }
}
