package dev.exprbert.cli;

import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingConfigKeys;
import java.util.LinkedHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds one option per training argument of {@link TrainingConfigKeys} to a command, under its Hugging
 * Face name and the dashed spelling ({@code --learning_rate} and {@code --learning-rate}), plus the extra spellings
 * a setting declares ({@code --reinit-head}, {@code --overwrite}, {@code --packed}, {@code --attention},
 * {@code --optimizer}). Switches work bare ({@code --overwrite_output_dir}) or with a value
 * ({@code --overwrite_output_dir false}).
 */
final class TrainingFlags implements CommandLine.IModelTransformer {
  @Override
  public CommandSpec transform(CommandSpec spec) {
    for (TrainingConfigKeys.Key key : TrainingConfigKeys.all()) {
      LinkedHashMap<String, Boolean> names = new LinkedHashMap<>();
      names.put("--" + key.name(), true);
      names.put("--" + key.name().replace('_', '-'), true);
      key.aliases().forEach(n -> names.put(n, true));
      OptionSpec.Builder option = OptionSpec.builder(names.keySet().toArray(String[]::new))
          .type(String.class)
          .paramLabel(key.isBoolean() ? "BOOL" : "VALUE")
          .description(key.help())
          .descriptionKey(key.name());
      if (key.isBoolean()) {
        option.arity("0..1").fallbackValue("true");
      }
      spec.addOption(option.build());
    }
    return spec;
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
      builder.set(key, option.getValue());
    }
    return builder;
  }
}
