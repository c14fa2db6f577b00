package dev.exprbert.model;

import dev.exprbert.model.bert.BertFamily;
import dev.exprbert.model.deberta.DebertaV2Family;
import dev.exprbert.model.distilbert.DistilBertFamily;
import dev.exprbert.model.electra.ElectraFamily;
import dev.exprbert.model.modernbert.ModernBertFamily;
import dev.exprbert.model.roberta.RobertaFamily;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The supported families, and the choice of one from config.json's {@code model_type} or {@code architectures}. */
public final class ModelFamilies {
  /** Every supported family, in the order error messages list them. */
  public static final List<ModelFamily> ALL = List.of(BertFamily.BERT, RobertaFamily.ROBERTA, RobertaFamily.XLM_ROBERTA,
      DistilBertFamily.DISTILBERT, ElectraFamily.ELECTRA, DebertaV2Family.DEBERTA_V2, ModernBertFamily.MODERNBERT);

  private ModelFamilies() {}

  /**
   * The family of {@code modelType}.
   *
   * @throws ModelConfigException in one line naming the supported model types
   */
  public static ModelFamily byModelType(String modelType) {
    for (ModelFamily family : ALL) {
      if (family.modelType().equals(modelType)) {
        return family;
      }
    }
    throw new ModelConfigException("model_type \"" + modelType + "\" is not supported; supported model types: "
        + supportedModelTypes());
  }

  /**
   * The family whose token-classification or base-model class is one of {@code architectures} (a config.json
   * without model_type, as old BERT exports have), or empty.
   */
  public static Optional<ModelFamily> byArchitectures(List<String> architectures) {
    if (architectures == null) {
      return Optional.empty();
    }
    for (String architecture : architectures) {
      for (ModelFamily family : ALL) {
        String base = family.baseModelClass(); // "RobertaModel": its task classes are "RobertaFor..."
        String stem = base.substring(0, base.length() - "Model".length());
        if (architecture.equals(base) || architecture.startsWith(stem + "For")) {
          return Optional.of(family);
        }
      }
    }
    return Optional.empty();
  }

  /** "bert", "roberta", ... quoted and comma-separated. */
  public static String supportedModelTypes() {
    return ALL.stream().map(f -> "\"" + f.modelType() + "\"").collect(Collectors.joining(", "));
  }
}
