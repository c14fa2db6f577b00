package dev.exprbert.train;

import java.io.IOException;
import java.nio.file.Path;

/** The model card ({@code README.md}) and the training chart ({@code training_chart.png}) of a finished run. */
final class RunDocuments {
  static final String CHART = "training_chart.png";

  private RunDocuments() {}

  static void write(Path outputDir, RunSummary summary) throws IOException {
    ModelCard.write(outputDir, summary.card());
    TrainingChart.write(outputDir.resolve(CHART), summary.trainingLoss(), summary.evalLoss(), summary.evalF1());
  }
}
