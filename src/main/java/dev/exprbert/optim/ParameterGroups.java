package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import dev.exprbert.model.crf.LinearChainCrf;
import java.util.ArrayList;
import java.util.List;

/** Hugging Face Trainer's optimizer grouping. */
public final class ParameterGroups {
  private ParameterGroups() {}

  /**
   * Two groups, as {@code Trainer.create_optimizer} builds them: weight decay on everything but
   * biases and LayerNorm weights, which get 0 (and a CRF's transition scores: see {@link #decays}). Empty groups are
   * dropped.
   */
  public static List<ParamGroup> huggingFace(List<NamedParameter> parameters, double weightDecay) {
    List<NamedParameter> decay = new ArrayList<>();
    List<NamedParameter> noDecay = new ArrayList<>();
    for (NamedParameter p : parameters) {
      (decays(p.name()) ? decay : noDecay).add(p);
    }
    List<ParamGroup> groups = new ArrayList<>();
    if (!decay.isEmpty()) {
      groups.add(new ParamGroup(decay, weightDecay));
    }
    if (!noDecay.isEmpty()) {
      groups.add(new ParamGroup(noDecay, 0.0));
    }
    return groups;
  }

  /**
   * Hugging Face's rule: biases and LayerNorm weights are not decayed. Neither are a CRF's {@code crf.*} scores
   * (our choice): they are log-potentials between labels, like biases, and decay would pull the learned transition
   * preferences towards "every transition equally likely".
   */
  public static boolean decays(String parameterName) {
    return !(parameterName.endsWith("bias") || parameterName.contains("LayerNorm.weight")
        || parameterName.contains("layer_norm.weight") || LinearChainCrf.owns(parameterName));
  }
}
