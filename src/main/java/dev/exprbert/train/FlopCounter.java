package dev.exprbert.train;

import dev.exprbert.model.EncoderForTokenClassification;

/**
 * FLOPs as Hugging Face counts them ({@code total_flos}): 6 x the non-embedding parameters x the tokens the model
 * ran, per micro-batch (a packed batch runs no padding, so it counts fewer).
 */
final class FlopCounter implements TrainerCallback {
  private final RunState state;
  private final long nonEmbeddingParameters;

  FlopCounter(RunState state, EncoderForTokenClassification model) {
    this.state = state;
    this.nonEmbeddingParameters = model.weights().asMap().entrySet().stream()
        .filter(e -> !e.getKey().contains("embeddings.")).mapToLong(e -> e.getValue().numel()).sum();
  }

  @Override
  public void onStepEnd(RunView run, TrainerControl control) {
    for (long tokens : state.lastStep().computedTokens()) {
      state.addFlos(6.0 * nonEmbeddingParameters * tokens);
    }
  }
}
