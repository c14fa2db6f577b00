package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code TrainerState}, serialised as {@code trainer_state.json} with its keys (so
 * {@code TrainerState.load_from_json} reads ours): global step, fractional epoch, best metric and
 * checkpoint, and {@code log_history} with one entry per log ({@code loss, grad_norm, learning_rate,
 * epoch, step}), per evaluation ({@code eval_*}) and the final training summary ({@code train_*}).
 */
public final class TrainerState {
  public static final String FILE = "trainer_state.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  public long globalStep;
  public double epoch;
  public long maxSteps;
  public long numTrainEpochs;
  public long loggingSteps;
  public long evalSteps;
  public long saveSteps;
  public long trainBatchSize;
  public Double bestMetric;
  public Long bestGlobalStep;
  public String bestModelCheckpoint;
  public double totalFlos;
  /** Hugging Face's {@code stateful_callbacks}: e.g. the early-stopping patience counter. */
  public JsonObject statefulCallbacks = new JsonObject();
  private final List<LinkedHashMap<String, Object>> logHistory = new ArrayList<>();

  public List<LinkedHashMap<String, Object>> logHistory() {
    return logHistory;
  }

  public void log(LinkedHashMap<String, Object> entry) {
    logHistory.add(entry);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.add("best_global_step", GSON.toJsonTree(bestGlobalStep));
    o.add("best_metric", GSON.toJsonTree(bestMetric));
    o.add("best_model_checkpoint", GSON.toJsonTree(bestModelCheckpoint));
    o.addProperty("epoch", epoch);
    o.addProperty("eval_steps", evalSteps);
    o.addProperty("global_step", globalStep);
    o.addProperty("is_hyper_param_search", false);
    o.addProperty("is_local_process_zero", true);
    o.addProperty("is_world_process_zero", true);
    o.add("log_history", GSON.toJsonTree(logHistory));
    o.addProperty("logging_steps", loggingSteps);
    o.addProperty("max_steps", maxSteps);
    o.addProperty("num_input_tokens_seen", 0);
    o.addProperty("num_train_epochs", numTrainEpochs);
    o.addProperty("save_steps", saveSteps);
    o.add("stateful_callbacks", statefulCallbacks);
    o.addProperty("total_flos", totalFlos);
    o.addProperty("train_batch_size", trainBatchSize);
    o.add("trial_name", com.google.gson.JsonNull.INSTANCE);
    o.add("trial_params", com.google.gson.JsonNull.INSTANCE);
    return o;
  }

  public String toJsonText() {
    return GSON.toJson(toJson()) + "\n";
  }

  public void write(Path file) throws IOException {
    AtomicFiles.writeString(file, toJsonText());
  }

  public static TrainerState read(Path file) throws IOException {
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException(file + ": expected a trainer_state.json object, found unreadable JSON (" + e.getMessage() + ")", e);
    }
    TrainerState s = new TrainerState();
    s.globalStep = number(o, "global_step", file).longValue();
    s.epoch = number(o, "epoch", file).doubleValue();
    s.maxSteps = number(o, "max_steps", file).longValue();
    s.numTrainEpochs = optionalLong(o, "num_train_epochs");
    s.loggingSteps = optionalLong(o, "logging_steps");
    s.evalSteps = optionalLong(o, "eval_steps");
    s.saveSteps = optionalLong(o, "save_steps");
    s.trainBatchSize = optionalLong(o, "train_batch_size");
    s.bestMetric = o.has("best_metric") && !o.get("best_metric").isJsonNull() ? o.get("best_metric").getAsDouble() : null;
    s.bestGlobalStep = o.has("best_global_step") && !o.get("best_global_step").isJsonNull() ? o.get("best_global_step").getAsLong() : null;
    s.bestModelCheckpoint = o.has("best_model_checkpoint") && !o.get("best_model_checkpoint").isJsonNull()
        ? o.get("best_model_checkpoint").getAsString() : null;
    s.totalFlos = o.has("total_flos") ? o.get("total_flos").getAsDouble() : 0;
    if (o.has("stateful_callbacks") && o.get("stateful_callbacks").isJsonObject()) {
      s.statefulCallbacks = o.getAsJsonObject("stateful_callbacks");
    }
    if (o.has("log_history")) {
      List<LinkedHashMap<String, Object>> entries = GSON.fromJson(o.get("log_history"),
          new TypeToken<List<LinkedHashMap<String, Object>>>() {}.getType());
      for (LinkedHashMap<String, Object> e : entries) {
        s.logHistory.add(normalizeNumbers(e));
      }
    }
    return s;
  }

  /** Gson reads every JSON number as a Double; step counts read back as whole numbers. */
  private static LinkedHashMap<String, Object> normalizeNumbers(Map<String, Object> e) {
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    e.forEach((k, v) -> out.put(k, k.equals("step") && v instanceof Double d ? (Object) d.longValue() : v));
    return out;
  }

  private static Number number(JsonObject o, String key, Path file) throws IOException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IOException(file + ": expected a number for '" + key + "', found " + e);
    }
    return e.getAsNumber();
  }

  private static long optionalLong(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsLong() : 0;
  }
}
