package dev.exprbert.cli;

import dev.exprbert.train.HfArguments;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingConfigKeys;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds one option per training argument of {@link TrainingConfigKeys} to a command, under its Hugging
 * Face name and the dashed spelling ({@code --learning_rate} and {@code --learning-rate}), plus the extra spellings
 * a setting declares ({@code --reinit-head}, {@code --overwrite}, {@code --packed}, {@code --attention},
 * {@code --optimizer}, {@code --evaluation_strategy}), and one per Hugging Face argument that is not a setting
 * ({@link HfArguments}: accepted, limited to what ExprBERT does, or another spelling of a setting). Switches work bare
 * ({@code --overwrite_output_dir}) or with a value ({@code --overwrite_output_dir false}); list settings take one or
 * more values ({@code --report_to tensorboard csv}).
 */
final class TrainingFlags implements CommandLine.IModelTransformer {
  /** Marks the description key of a Hugging Face argument that is not a setting. */
  private static final String HF_PREFIX = "hf:";

  @Override
  public CommandSpec transform(CommandSpec spec) {
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
      HfArguments.Shape shape = key.isBoolean() ? HfArguments.Shape.SWITCH
          : key.isList() ? HfArguments.Shape.LIST : HfArguments.Shape.VALUE;
      spec.addOption(option(key.name(), key.aliases(), shape, key.help(), key.name()));
    }
    for (HfArguments.Entry entry : HfArguments.all()) {
      String help = switch (entry.kind()) {
        case IGNORED -> "Accepted; changes nothing here: " + entry.reason() + ".";
        case ONLY -> "Accepted as " + String.join(" or ", entry.accepted()) + " only: " + entry.reason() + ".";
        case TRANSLATED -> "Means " + entry.reason() + ".";
      };
      spec.addOption(option(entry.name(), List.of(), entry.shape(), help, HF_PREFIX + entry.name()));
    }
    return spec;
  }

  private static OptionSpec option(String name, List<String> aliases, HfArguments.Shape shape, String help,
      String descriptionKey) {
    LinkedHashMap<String, Boolean> names = new LinkedHashMap<>();
    names.put("--" + name, true);
    names.put("--" + name.replace('_', '-'), true);
    aliases.forEach(n -> names.put(n, true));
    OptionSpec.Builder option = OptionSpec.builder(names.keySet().toArray(String[]::new))
        .paramLabel(shape == HfArguments.Shape.SWITCH ? "BOOL" : "VALUE")
        .description(help)
        .descriptionKey(descriptionKey);
    switch (shape) {
      case SWITCH -> option.type(String.class).arity("0..1").fallbackValue("true");
      case VALUE -> option.type(String.class);
      case LIST -> option.type(String[].class).arity("1..*");
    }
    return option.build();
  }

  /**
   * A training-config message with its settings spelt as flags, for the command line: {@code per_device_train_batch_size
   * must be >= 1} -> {@code --per_device_train_batch_size must be >= 1}. Names with an underscore are replaced wherever
   * they stand as a word (not inside a path or a file name); one-word names ({@code seed}, {@code stride}) only where
   * they begin the message, since elsewhere they may be plain words.
   */
  static String asFlags(String message) {
    if (message == null) {
      return null;
    }
    String out = message;
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
      String name = java.util.regex.Pattern.quote(key.name());
      out = key.name().contains("_")
          ? out.replaceAll("(?<![\\w/.\\\\-])" + name + "(?![\\w/\\\\-]|\\.\\w)", "--" + key.name())
          : out.replaceAll("^" + name + "(?=[: ])", "--" + key.name());
    }
    return out;
  }

  /** Applies every training flag given on the command line to {@code builder}, in command-line order. */
  static TrainingConfig.Builder apply(CommandLine.ParseResult parsed, TrainingConfig.Builder builder) {
    for (OptionSpec option : parsed.matchedOptions()) {
      String key = option.descriptionKey();
      if (key == null || key.isEmpty()) {
        continue; // the command's own options (--config, --help)
      }
      Object value = option.getValue();
      String text = value instanceof String[] values ? String.join(",", values) : (String) value;
      if (key.startsWith(HF_PREFIX)) {
        HfArguments.lookup(key.substring(HF_PREFIX.length())).apply(text, builder);
      } else {
        builder.set(key, text);
      }
    }
    return builder;
  }
}
