package dev.exprbert.optim;

/** AdamW's fixed hyperparameters; Hugging Face TrainingArguments defaults are 0.9 / 0.999 / 1e-8. */
public record AdamWSettings(double beta1, double beta2, double eps) {
  public static final AdamWSettings HUGGING_FACE_DEFAULTS = new AdamWSettings(0.9, 0.999, 1e-8);

  public AdamWSettings {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps must be > 0, got " + eps);
    }
  }
}
