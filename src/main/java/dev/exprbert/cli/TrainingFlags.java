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
