package dev.exprbert.train;

import java.io.IOException;
import java.nio.file.Path;

/** The model card ({@code README.md}) and the training chart ({@code training_chart.png}) of a finished run. */
final class RunDocuments {
  static final String CHART = "training_chart.png";

  private RunDocuments() {}

  static void write(Path outputDir, RunSummary summary) throws IOException {
    // filled in once ModelCard and TrainingChart are merged (branch tagger)
  }
}
