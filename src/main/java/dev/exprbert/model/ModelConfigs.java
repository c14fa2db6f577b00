package dev.exprbert.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.exprbert.model.bert.BertFamily;
import dev.exprbert.model.crf.CrfSettings;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a config.json of any supported family: {@code model_type} chooses the family ({@link ModelFamilies}), which
 * reads its own keys. A config.json without model_type is recognised by its {@code architectures}, else read as BERT
 * (what early BERT exports are).
 */
public final class ModelConfigs {
  private ModelConfigs() {}

  /**
   * @throws ModelConfigException when a field is missing, of the wrong type, inconsistent, or the model_type is not
   *     supported (the message names the file and the field)
   * @throws IOException when the file cannot be read
   */
  public static EncoderConfig read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new ModelConfigException(file + ": not valid UTF-8 text; expected a JSON file", e);
    }
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new ModelConfigException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new ModelConfigException(file + ": expected a JSON object, found " + ConfigJson.describe(root));
    }
    try {
      return fromJson(root.getAsJsonObject(), file.toString());
    } catch (ModelConfigException e) {
      throw new ModelConfigException(file + ": " + e.getMessage(), e);
    }
  }

  /** @param source names the config in warnings (its path) */
  public static EncoderConfig fromJson(JsonObject json, String source) {
    EncoderConfig config = familyOf(json).readConfig(json, source);
    CrfSettings.check(json, config);
    return config;
  }

  /** The family config.json names: model_type, else architectures, else BERT. */
  public static ModelFamily familyOf(JsonObject json) {
    JsonElement modelType = json.get("model_type");
    if (modelType != null && !modelType.isJsonNull()) {
      return ModelFamilies.byModelType(ConfigJson.string(json, "model_type"));
    }
    return ModelFamilies.byArchitectures(ConfigJson.architectures(json)).orElse(BertFamily.BERT);
  }
}
