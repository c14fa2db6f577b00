package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.exprbert.data.spans.LabelScheme;
import dev.exprbert.data.spans.MisalignedPolicy;
import dev.exprbert.data.spans.OffsetUnit;
import dev.exprbert.data.spans.OverlapPolicy;
import dev.exprbert.dist.DistributedBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.OptimizerChoice;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The table from Hugging Face argument names to {@link TrainingConfig} components, derived from their
 * {@link Setting} declarations. JSON config files, the {@code exprbert train} flags ({@code --learning_rate} and
 * {@code --learning-rate}) and {@code training_args.json} all go through it.
 */
public final class TrainingConfigKeys {

  /** How JSON spells a value of a setting. */
  private enum Json { STRING, WHOLE_NUMBER, NUMBER, BOOLEAN, STRING_LIST }

  /** A value type settings can have: how to read it from text and write it as JSON text. */
  private record Type(String expected, Json json, BiFunction<String, String, Object> parse, Function<Object, String> text) {
    static Type of(Class<?> c) {
      if (c == Path.class) {
        return new Type("a path", Json.STRING, (n, t) -> Path.of(t), Object::toString);
      } else if (c == String.class) {
        return new Type("a string", Json.STRING, (n, t) -> t, Object::toString);
      } else if (c == int.class || c == Integer.class) {
        return new Type("an integer", Json.WHOLE_NUMBER, (n, t) -> Integer.valueOf(t), null);
      } else if (c == long.class || c == Long.class) {
        return new Type("an integer", Json.WHOLE_NUMBER, (n, t) -> Long.valueOf(t), null);
      } else if (c == double.class) {
        return new Type("a number", Json.NUMBER, (n, t) -> Double.valueOf(t), null);
      } else if (c == boolean.class || c == Boolean.class) {
        return new Type("true or false", Json.BOOLEAN, TrainingConfigKeys::parseBool, null);
      } else if (c == TrainingConfig.Strategy.class) {
        return new Type("no, steps or epoch", Json.STRING, TrainingConfig.Strategy::parse, Object::toString);
      } else if (c == AttentionImplementation.class) {
        return new Type("eager, sdpa or fused", Json.STRING, (n, t) -> AttentionImplementation.parse(t), Object::toString);
      } else if (c == OptimizerChoice.class) {
        return new Type("an optimizer name", Json.STRING, (n, t) -> OptimizerChoice.parse(t), Object::toString);
      } else if (c == LearningRateSchedule.Kind.class) {
        return new Type("a schedule name", Json.STRING, (n, t) -> LearningRateSchedule.Kind.parse(t), Object::toString);
      } else if (c == NanPolicy.class) {
        return new Type("stop or skip_step", Json.STRING, (n, t) -> NanPolicy.parse(t), Object::toString);
      } else if (c == LabelScheme.class) {
        return new Type("bio, iobes or bilou", Json.STRING, (n, t) -> LabelScheme.fromName(t), Type::lowerName);
      } else if (c == MisalignedPolicy.class) {
        return new Type("snap, drop or error", Json.STRING, (n, t) -> MisalignedPolicy.fromName(t), Type::lowerName);
      } else if (c == OverlapPolicy.class) {
        return new Type("error or keep_longest", Json.STRING, (n, t) -> OverlapPolicy.fromName(t), Type::lowerName);
      } else if (c == OffsetUnit.class) {
        return new Type("code_points or utf16", Json.STRING, (n, t) -> OffsetUnit.fromName(t), Type::lowerName);
      } else if (c == ReportTo.class) {
        return new Type("tensorboard, csv, jsonl, all or none", Json.STRING_LIST, (n, t) -> ReportTo.parse(t),
            Object::toString);
      } else if (c == DistributedBackend.class) {
        return new Type("gloo or nccl", Json.STRING, (n, t) -> DistributedBackend.parse(t), Object::toString);
      } else if (c == Placement.class) {
        return new Type("cpu, cuda or cuda:N", Json.STRING, (n, t) -> Placement.of(t, "float32"), p -> ((Placement) p).device());
      }
      throw new IllegalStateException("no value type for settings of type " + c.getName() + "; add one here");
    }

    private static String lowerName(Object value) {
      return ((Enum<?>) value).name().toLowerCase(Locale.ROOT);
    }
  }

  /** One setting: its Hugging Face name, type, default, help and the record component it fills. */
  public static final class Key {
    private final String name;
    private final Setting setting;
    private final RecordComponent component;
    private final Type type;
    private final boolean nullable;
    private final Object defaultValue;

    private Key(RecordComponent component) {
      this.component = component;
      this.setting = component.getAnnotation(Setting.class);
      if (setting == null) {
        throw new IllegalStateException("TrainingConfig." + component.getName() + " has no @Setting");
      }
      this.name = setting.name();
      this.type = Type.of(component.getType());
      Class<?> c = component.getType();
      this.nullable = !c.isPrimitive() && (setting.nullable() || c == Integer.class || c == Long.class || c == Boolean.class);
      this.defaultValue = setting.byDefault().equals(Setting.NONE) ? primitiveZero(c) : parse(setting.byDefault());
    }

    public String name() {
      return name;
    }

    public String help() {
      return setting.help();
    }

    /** Extra command-line spellings, with their dashes. */
    public List<String> aliases() {
      return List.of(setting.aliases());
    }

    /** Whether the flag is a switch that may be given without a value ({@code --overwrite_output_dir}). */
    public boolean isBoolean() {
      return type.json == Json.BOOLEAN;
    }

    /** Whether the flag takes several values ({@code --report_to tensorboard csv}), as Hugging Face's list fields do. */
    public boolean isList() {
      return type.json == Json.STRING_LIST;
    }

    Object defaultValue() {
      return defaultValue;
    }

    Object get(TrainingConfig config) {
      try {
        return component.getAccessor().invoke(config);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read TrainingConfig." + component.getName(), e);
      }
    }

    /** A value from command-line text (a String) or of the setting's own type. */
    Object convert(Object value) {
      if (value instanceof String text) {
        return parse(text);
      }
      if (value == null) {
        return requireNullable(null);
      }
      Class<?> target = component.getType();
      if (value instanceof List<?> list && type.json == Json.STRING_LIST) {
        List<String> items = new ArrayList<>();
        list.forEach(item -> items.add(String.valueOf(item)));
        return parse(String.join(",", items));
      }
      if (value instanceof Number number && (type.json == Json.NUMBER || type.json == Json.WHOLE_NUMBER)) {
        if (type.json == Json.NUMBER) {
          return number.doubleValue();
        }
        boolean isInt = target == int.class || target == Integer.class;
        double v = number.doubleValue();
        if (v == Math.rint(v) && (!isInt || (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE))) {
          return isInt ? (Object) number.intValue() : (Object) number.longValue();
        }
      } else if (target.isInstance(value) || (type.json == Json.BOOLEAN && value instanceof Boolean)) {
        return value;
      }
      throw new IllegalArgumentException(name + ": expected " + type.expected + ", found " + value);
    }

    private Object parse(String text) {
      String t = text.strip();
      if (t.equalsIgnoreCase("none") || t.equalsIgnoreCase("null")) {
        if (nullable) {
          return null;
        }
      }
      try {
        return type.parse.apply(name, t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + ": expected " + type.expected + ", found '" + text + "'");
      } catch (IllegalArgumentException e) {
        throw e.getMessage() != null && e.getMessage().contains(name) ? e
            : new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
    }

    private Object requireNullable(Object value) {
      if (!nullable) {
        throw new IllegalArgumentException(name + " must not be null (expected " + type.expected + ")");
      }
      return value;
    }

    /** The value as the constructor takes it, after the setting's own range rule. */
    Object checked(Object value) {
      if (value == null) {
        return requireNullable(null);
      }
      setting.check().require(name, value);
      return value;
    }

    /** The value of a JSON config file's entry, checked against the setting's JSON type. */
    private Object fromJson(JsonElement value, Path file) {
      if (value.isJsonNull()) {
        if (!nullable) {
          throw new IllegalArgumentException(file + ": " + name + " must not be null (expected " + type.expected + ")");
        }
        return null;
      }
      if (type.json == Json.STRING_LIST && value.isJsonArray()) {
        List<String> items = new ArrayList<>();
        for (JsonElement item : value.getAsJsonArray()) {
          if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(file + ": " + name + ": expected " + type.expected
                + " (a string or an array of strings), found " + value);
          }
          items.add(item.getAsString());
        }
        return parse(String.join(",", items));
      }
      JsonPrimitive p = value.isJsonPrimitive() ? value.getAsJsonPrimitive() : null;
      boolean fits = p != null && switch (type.json) {
        case BOOLEAN -> p.isBoolean();
        case NUMBER -> p.isNumber();
        case WHOLE_NUMBER -> p.isNumber() && p.getAsDouble() == Math.rint(p.getAsDouble());
        case STRING, STRING_LIST -> p.isString();
      };
      if (!fits) {
        throw new IllegalArgumentException(file + ": " + name + ": expected " + type.expected + ", found " + value);
      }
      return parse(p.getAsString());
    }

    private JsonElement toJson(TrainingConfig config) {
      Object v = get(config);
      if (v == null) {
        return JsonNull.INSTANCE;
      }
      if (v instanceof Boolean bool) {
        return new JsonPrimitive(bool);
      }
      if (v instanceof Number number) {
        return new JsonPrimitive(number);
      }
      if (v instanceof ReportTo report) {
        JsonArray array = new JsonArray(); // Hugging Face writes report_to as a list
        report.names().forEach(array::add);
        return array;
      }
      return new JsonPrimitive(type.text.apply(v));
    }

    private static Object primitiveZero(Class<?> c) {
      if (c == boolean.class) {
        return false;
      }
      if (c == int.class) {
        return 0;
      }
      if (c == long.class) {
        return 0L;
      }
      if (c == double.class) {
        return 0.0;
      }
      return null;
    }
  }

  private static final Map<String, Key> ALL;
  /** Extra spellings that are names too ({@code evaluation_strategy}), to their setting. */
  private static final Map<String, Key> ALIASES;
  private static final Constructor<TrainingConfig> CONSTRUCTOR;

  static {
    Map<String, Key> m = new LinkedHashMap<>();
    RecordComponent[] components = TrainingConfig.class.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      Key key = new Key(components[i]);
      m.put(key.name(), key);
      types[i] = components[i].getType();
    }
    ALL = Collections.unmodifiableMap(m);
    Map<String, Key> aliases = new LinkedHashMap<>();
    for (Key key : m.values()) {
      for (String alias : key.aliases()) {
        aliases.put(alias.replaceFirst("^-+", "").replace('-', '_'), key);
      }
    }
    ALIASES = Collections.unmodifiableMap(aliases);
    try {
      CONSTRUCTOR = TrainingConfig.class.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("TrainingConfig has no canonical constructor", e);
    }
  }

  private TrainingConfigKeys() {}

  /** Every setting, in the order training_args.json lists them. */
  public static Iterable<Key> all() {
    return ALL.values();
  }

  /**
   * The key called {@code name} (underscores or dashes, or one of its extra spellings such as
   * {@code evaluation_strategy}); the error names the closest known name.
   */
  public static Key key(String name) {
    Key key = find(name);
    if (key == null) {
      throw new IllegalArgumentException("unknown training argument '" + name + "'" + closest(name));
    }
    return key;
  }

  /** Whether {@code name} (underscores or dashes) is a setting's own name. */
  public static boolean isSetting(String name) {
    return ALL.containsKey(name.replace('-', '_'));
  }

  private static Key find(String name) {
    String n = name.replace('-', '_');
    Key key = ALL.get(n);
    return key != null ? key : ALIASES.get(n);
  }

  /** "; did you mean 'x'?" for the known name nearest to {@code name} (edit distance), or "" when none is near. */
  static String closest(String name) {
    String n = name.replace('-', '_');
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    List<String> candidates = new ArrayList<>(ALL.keySet());
    candidates.addAll(ALIASES.keySet());
    HfArguments.all().forEach(e -> candidates.add(e.name()));
    for (String candidate : candidates) {
      int d = editDistance(n, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= Math.max(2, n.length() / 3) ? "; did you mean '" + best + "'?" : "";
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** A config of {@code values} (by name), each checked against its setting's rule. */
  static TrainingConfig construct(Map<String, Object> values) {
    List<Object> args = new ArrayList<>(ALL.size());
    for (Key key : ALL.values()) {
      args.add(key.checked(values.get(key.name())));
    }
    try {
      return CONSTRUCTOR.newInstance(args.toArray());
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a TrainingConfig", e);
    }
  }

  private static Boolean parseBool(String name, String t) {
    switch (t.toLowerCase(Locale.ROOT)) {
      case "true": case "1": case "yes": return true;
      case "false": case "0": case "no": return false;
      default: throw new IllegalArgumentException(name + ": expected true or false, found '" + t + "'");
    }
  }

  /**
   * A builder filled from a JSON object of Hugging Face names (run_ner accepts the same file).
   * Unknown keys are an error, as {@code HfArgumentParser.parse_json_file} makes them.
   */
  public static TrainingConfig.Builder readJson(Path file) throws IOException {
    return applyJson(TrainingConfig.builder(), file);
  }

  /** Applies every entry of a JSON config file to {@code builder}. */
  public static TrainingConfig.Builder applyJson(TrainingConfig.Builder builder, Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + ": expected a JSON object of training arguments, found invalid JSON ("
          + e.getMessage() + ")");
    }
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object of training arguments, found " + root);
    }
    for (Map.Entry<String, JsonElement> e : root.getAsJsonObject().entrySet()) {
      Key key = find(e.getKey());
      if (key != null) {
        builder.put(key, key.fromJson(e.getValue(), file));
        continue;
      }
      HfArguments.Entry hf = HfArguments.lookup(e.getKey());
      if (hf == null) {
        throw new IllegalArgumentException(file + ": unknown training argument '" + e.getKey() + "'" + closest(e.getKey()));
      }
      try {
        hf.apply(jsonText(e.getValue()), builder);
      } catch (IllegalArgumentException refused) {
        throw new IllegalArgumentException(file + ": " + refused.getMessage(), refused);
      }
    }
    return builder;
  }

  /** A JSON value as command-line text: a string's characters, a list's items joined by commas, anything else as JSON. */
  private static String jsonText(JsonElement value) {
    if (value.isJsonNull()) {
      return "none";
    }
    if (value.isJsonPrimitive()) {
      return value.getAsString();
    }
    if (value.isJsonArray()) {
      List<String> items = new ArrayList<>();
      value.getAsJsonArray().forEach(item -> items.add(item.isJsonPrimitive() ? item.getAsString() : item.toString()));
      return String.join(",", items);
    }
    return value.toString();
  }

  /** The config as a JSON object with Hugging Face keys (what training_args.json holds). */
  public static JsonObject toJson(TrainingConfig config) {
    JsonObject o = new JsonObject();
    for (Key key : ALL.values()) {
      o.add(key.name(), key.toJson(config));
    }
    return o;
  }

  /** {@link #toJson} pretty-printed, as Hugging Face writes its JSON files (indent 2, nulls kept). */
  public static String toJsonText(TrainingConfig config) {
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    return gson.toJson(toJson(config)) + "\n";
  }
}
