package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import dev.exprbert.model.crf.LinearChainCrf;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Hugging Face Trainer's optimizer grouping. */
public final class ParameterGroups {
  /** The name patterns {@code Trainer.get_decay_parameter_names} leaves without weight decay (lower-cased names). */
  private static final Pattern NO_DECAY = Pattern.compile("bias|layernorm|rmsnorm|(?:^|\\.)norm(?:$|\\.)|_norm(?:$|\\.)");

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
   * Hugging Face's rule ({@code Trainer.get_decay_parameter_names}): nothing whose lower-cased name contains
   * {@code bias}, {@code layernorm} or {@code rmsnorm}, or has a path part {@code norm} or ending in {@code _norm}, is
   * decayed. That covers the LayerNorms of every family by name: BERT's {@code LayerNorm}, DistilBERT's
   * {@code sa_layer_norm}, ModernBERT's {@code norm}, {@code attn_norm}, {@code final_norm}. Neither are a CRF's
   * {@code crf.*} scores (our choice): they are log-potentials between labels, like biases, and decay would pull the
   * learned transition preferences towards "every transition equally likely".
   */
  public static boolean decays(String parameterName) {
    return !NO_DECAY.matcher(parameterName.toLowerCase(Locale.ROOT)).find() && !LinearChainCrf.owns(parameterName);
  }

}
