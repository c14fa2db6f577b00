package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import java.util.List;

/**
 * Parameters that share one weight decay. The learning rate is not stored here: the schedule
 * gives it to {@link Optimizer#step} each step, the way Hugging Face's LambdaLR scales every group.
 */
public record ParamGroup(List<NamedParameter> parameters, double weightDecay) {
  public ParamGroup {
    parameters = List.copyOf(parameters);
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }
  }
}
