package dev.exprbert.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a finished run's documents show: the model card ({@code README.md}) and the training chart
 * ({@code training_chart.png}) with its training-loss, eval-loss and eval-F1 curves.
 */
public record RunReport(ModelCardData card, List<LogPoint> trainingLoss, List<LogPoint> evalLoss, List<LogPoint> evalF1) {
  public static final String CHART = "training_chart.png";

  /** Writes the card and the chart into {@code outputDir}. */
  public void write(Path outputDir) throws IOException {
    ModelCard.write(outputDir, card);
    TrainingChart.write(outputDir.resolve(CHART), trainingLoss, evalLoss, evalF1);
  }
}
