package dev.exprbert.model.crf;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelConfigs;

/**
 * Whether a token classifier has a CRF head, as its config.json records it: {@code "use_crf": true}, and
 * {@code "crf_label_all_tokens"}, which says what the CRF chains: every sub-token of every word (trained with
 * {@code label_all_tokens}) or, by default, the first sub-token of each word. Both are keys transformers keeps and
 * ignores, and every family keeps them verbatim among its config's unknown keys, so they are read from and written to
 * the config's JSON form, whatever the family.
 *
 * @param enabled the model has a CRF ({@code crf.transitions}, {@code crf.start_transitions},
 *     {@code crf.end_transitions})
 * @param everySubToken the CRF runs over every sub-token of a word, not only its first
 */
public record CrfSettings(boolean enabled, boolean everySubToken) {
  /** config.json's key of {@link #enabled}. */
  public static final String USE_CRF = "use_crf";
  /** config.json's key of {@link #everySubToken}. */
  public static final String LABEL_ALL_TOKENS = "crf_label_all_tokens";
  /** A plain token classifier. */
  public static final CrfSettings NONE = new CrfSettings(false, false);

  /**
   * The settings in a config.json object; absent keys are false.
   *
   * @throws ModelConfigException naming the key when it is not a boolean
   */
  public static CrfSettings read(JsonObject json) {
    boolean enabled = ConfigJson.bool(json, USE_CRF, false);
    return new CrfSettings(enabled, enabled && ConfigJson.bool(json, LABEL_ALL_TOKENS, false));
  }

  /** The settings {@code config} carries. */
  public static CrfSettings of(EncoderConfig config) {
    return read(JsonParser.parseString(config.toJson()).getAsJsonObject());
  }

  /**
   * Checks a config.json object that asks for a CRF: its labels must spell a scheme the transition constraints know.
   *
   * @throws ModelConfigException naming {@value #USE_CRF} and the label
   */
  public static void check(JsonObject json, EncoderConfig config) {
    if (read(json).enabled()) {
      try {
        TransitionConstraints.forLabels(config.labels());
      } catch (IllegalArgumentException e) {
        throw new ModelConfigException(USE_CRF + ": " + e.getMessage());
      }
    }
  }

  /** {@code config} with these settings (every other key kept); a disabled CRF removes both keys. */
  public EncoderConfig applyTo(EncoderConfig config) {
    JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
    json.remove(USE_CRF);
    json.remove(LABEL_ALL_TOKENS);
    if (enabled) {
      json.addProperty(USE_CRF, true);
      json.addProperty(LABEL_ALL_TOKENS, everySubToken);
    }
    return ModelConfigs.fromJson(json, "the " + config.family().displayName() + " config with " + USE_CRF + " " + enabled);
  }
}
