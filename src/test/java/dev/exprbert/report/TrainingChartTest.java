package dev.exprbert.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingChartTest {
  @TempDir Path tmp;

  /** Pixels of exactly {@code color} below the legend (the legend row above the plot repeats every colour). */
  private static int pixelsBelowLegend(BufferedImage image, Color color) {
    int count = 0;
    for (int y = 70; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void writesAPngWithEverySeriesDrawn() throws Exception {
    List<LogPoint> train = new ArrayList<>();
    for (int step = 10; step <= 200; step += 10) {
      train.add(new LogPoint(step, 2.0 * Math.exp(-step / 80.0) + 0.1));
    }
    List<LogPoint> eval = List.of(new LogPoint(100, 0.9), new LogPoint(200, 0.6));
    List<LogPoint> f1 = List.of(new LogPoint(100, 0.31), new LogPoint(200, 0.55));
    Path png = tmp.resolve("chart.png");
    TrainingChart.write(png, train, eval, f1);

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(TrainingChart.WIDTH, image.getWidth());
    assertEquals(TrainingChart.HEIGHT, image.getHeight());
    assertTrue(pixelsBelowLegend(image, TrainingChart.TRAINING_LOSS_COLOR) > 50, "training loss line");
    assertTrue(pixelsBelowLegend(image, TrainingChart.EVAL_LOSS_COLOR) > 20, "eval loss line");
    assertTrue(pixelsBelowLegend(image, TrainingChart.EVAL_F1_COLOR) > 20, "eval F1 line");
    assertEquals(List.of(), leftoverTempFiles());
  }

  @Test
  void emptySeriesSinglePointsAndNaNAreDrawnWithoutFailing() throws Exception {
    Path png = tmp.resolve("sparse.png");
    TrainingChart.write(png, List.of(),
        List.of(new LogPoint(50, Double.NaN), new LogPoint(100, 0.7)),
        List.of(new LogPoint(100, 0.4)));
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(0, pixelsBelowLegend(image, TrainingChart.TRAINING_LOSS_COLOR), "nothing logged, nothing drawn");
    assertTrue(pixelsBelowLegend(image, TrainingChart.EVAL_LOSS_COLOR) > 10, "a single finite point shows as a marker");
    assertTrue(pixelsBelowLegend(image, TrainingChart.EVAL_F1_COLOR) > 10, "single F1 point");

    TrainingChart.write(tmp.resolve("empty.png"), List.of(), List.of(), List.of());
    assertEquals(TrainingChart.WIDTH, ImageIO.read(tmp.resolve("empty.png").toFile()).getWidth());
  }

  @Test
  void aMissingFolderOrNullSeriesIsNamed() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> TrainingChart.write(tmp.resolve("no/such/chart.png"), List.of(), List.of(), List.of()));
    assertTrue(e.getMessage().contains("chart.png"), e.getMessage());
    IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
        () -> TrainingChart.write(tmp.resolve("c.png"), List.of(), null, List.of()));
    assertTrue(n.getMessage().contains("evalLoss"), n.getMessage());
  }

  /**
   * A JVM whose font libraries are missing fails to link libfontmanager on the first text (UnsatisfiedLinkError, a
   * LinkageError): the chart is still written, with its lines and without any text.
   */
  @Test
  void withoutFontLibrariesTheChartIsWrittenWithoutText() throws Exception {
    List<LogPoint> train = List.of(new LogPoint(10, 1.5), new LogPoint(20, 1.1), new LogPoint(30, 0.8));
    List<LogPoint> f1 = List.of(new LogPoint(30, 0.5));
    TrainingChart.write(tmp.resolve("with-text.png"), train, List.of(), f1);
    TrainingChart.FontSource fonts = TrainingChart.fonts;
    TrainingChart.fonts = (style, size) -> {
      throw new UnsatisfiedLinkError("/opt/jre/lib/libfontmanager.so: libfreetype.so.6: cannot open shared object file");
    };
    try {
      TrainingChart.write(tmp.resolve("no-fonts.png"), train, List.of(), f1);
    } finally {
      TrainingChart.fonts = fonts;
    }
    BufferedImage withText = ImageIO.read(tmp.resolve("with-text.png").toFile());
    BufferedImage noFonts = ImageIO.read(tmp.resolve("no-fonts.png").toFile());
    assertTrue(nonWhiteAboveThePlot(withText) > 100, "the title and legend sit above the plot");
    assertEquals(0, nonWhiteAboveThePlot(noFonts), "no text at all without fonts");
    assertTrue(pixelsBelowLegend(noFonts, TrainingChart.TRAINING_LOSS_COLOR) > 50, "the lines are still drawn");
  }

  private static int nonWhiteAboveThePlot(BufferedImage image) {
    int count = 0;
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        count += (image.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF ? 1 : 0;
      }
    }
    return count;
  }

  @Test
  void axesGetNiceTicks() {
    TrainingChart.Axis a = TrainingChart.Axis.of(0, 1090);
    assertEquals(0, a.min());
    assertEquals(200, a.tick());
    assertEquals(1200, a.max());
    assertEquals("1000", a.label(1000));
    TrainingChart.Axis loss = TrainingChart.Axis.of(0, 0.73);
    assertEquals(0.2, loss.tick(), 1e-12);
    assertEquals("0.4", loss.label(0.4));
  }

  private List<Path> leftoverTempFiles() throws Exception {
    try (var files = Files.list(tmp)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
