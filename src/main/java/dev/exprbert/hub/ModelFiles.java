package dev.exprbert.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a repository that make a model directory ExprBERT loads: {@code config.json}, the weights
 * ({@code model.safetensors}, else {@code pytorch_model.bin}) and the tokenizer ({@code tokenizer.json} and/or
 * {@code vocab.txt}, with {@code tokenizer_config.json}, {@code special_tokens_map.json} and
 * {@code added_tokens.json} when the repository has them). Nothing else is downloaded (no ONNX, TF or Flax copies).
 */
final class ModelFiles {
  static final String CONFIG = "config.json";
  static final List<String> WEIGHTS = List.of("model.safetensors", "pytorch_model.bin");
  static final List<String> TOKENIZERS = List.of("tokenizer.json", "vocab.txt");
  static final List<String> TOKENIZER_EXTRAS = List.of("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json");

  private ModelFiles() {}

  /** The files to fetch from a repository that lists {@code files}; an error names what it lacks. */
  static List<String> choose(RepoRef ref, String commit, List<String> files) throws HubException {
    String where = ref.repoId() + " at " + ref.revision() + " (commit " + commit + ")";
    List<String> out = new ArrayList<>();
    if (!files.contains(CONFIG)) {
      throw new HubException(where + " has no " + CONFIG + "; expected a transformers model repository (files: " + sample(files) + ")");
    }
    out.add(CONFIG);
    String weights = WEIGHTS.stream().filter(files::contains).findFirst().orElse(null);
    if (weights == null) {
      boolean sharded = files.stream().anyMatch(f -> f.endsWith(".index.json"));
      throw new HubException(where + " has no " + String.join(" or ", WEIGHTS)
          + (sharded ? "; its weights are sharded (*.index.json), which ExprBERT does not load" : "") + " (files: " + sample(files) + ")");
    }
    out.add(weights);
    List<String> tokenizer = TOKENIZERS.stream().filter(files::contains).toList();
    if (tokenizer.isEmpty()) {
      throw new HubException(where + " has no " + String.join(" or ", TOKENIZERS) + "; expected a tokenizer beside the model"
          + " (files: " + sample(files) + ")");
    }
    out.addAll(tokenizer);
    TOKENIZER_EXTRAS.stream().filter(files::contains).forEach(out::add);
    return out;
  }

  /** The model files present in a cached snapshot, or null when it lacks config, weights or tokenizer. */
  static List<String> present(Path snapshot) {
    List<String> out = new ArrayList<>();
    if (!Files.isRegularFile(snapshot.resolve(CONFIG))) {
      return null;
    }
    out.add(CONFIG);
    String weights = WEIGHTS.stream().filter(f -> Files.isRegularFile(snapshot.resolve(f))).findFirst().orElse(null);
    List<String> tokenizer = TOKENIZERS.stream().filter(f -> Files.isRegularFile(snapshot.resolve(f))).toList();
    if (weights == null || tokenizer.isEmpty()) {
      return null;
    }
    out.add(weights);
    out.addAll(tokenizer);
    TOKENIZER_EXTRAS.stream().filter(f -> Files.isRegularFile(snapshot.resolve(f))).forEach(out::add);
    return out;
  }

  private static String sample(List<String> files) {
    return files.size() <= 12 ? files.toString() : files.subList(0, 12) + " and " + (files.size() - 12) + " more";
  }
}
