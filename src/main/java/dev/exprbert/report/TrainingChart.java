package dev.exprbert.report;

import dev.exprbert.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PNG chart of a run: training loss and evaluation loss over the global step on the left axis, evaluation
 * F1 on the right axis (0..1), with axes, ticks, axis labels and a legend. Drawn with Java2D in headless mode,
 * so it works on servers without a display. Points with a NaN or infinite value are skipped (the line breaks
 * there); a series with one point shows as a marker; an empty series is left out of the plot but stays in the
 * legend. The file is written atomically.
 */
public final class TrainingChart {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingChart.class);

  public static final int WIDTH = 900;
  public static final int HEIGHT = 540;
  /** Matplotlib's first three default colours, so the chart looks familiar next to Python plots. */
  public static final Color TRAINING_LOSS_COLOR = new Color(31, 119, 180);
  public static final Color EVAL_LOSS_COLOR = new Color(255, 127, 14);
  public static final Color EVAL_F1_COLOR = new Color(44, 160, 44);

  private static final int LEFT = 80;
  private static final int RIGHT = 80;
  private static final int TOP = 75; // title and legend sit above the plot, never over data
  private static final int BOTTOM = 70;

  static {
    // must be set before the first AWT class initialises its toolkit
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * Where the text's fonts come from. A test replaces it to act out a JVM without font libraries (a server image
   * lacking libfreetype: libfontmanager then fails to link with an UnsatisfiedLinkError on first use).
   */
  @FunctionalInterface
  interface FontSource {
    Font font(int style, int size);
  }

  static FontSource fonts = (style, size) -> new Font(Font.SANS_SERIF, style, size);

  private TrainingChart() {}

  /** Renders the chart and writes it to {@code png} atomically; the folder must exist. */
  public static void write(Path png, List<LogPoint> trainingLoss, List<LogPoint> evalLoss, List<LogPoint> evalF1)
      throws IOException {
    Path folder = png.toAbsolutePath().getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new NoSuchFileException(png.toString(), null, "cannot write the training chart: its folder does not exist");
    }
    BufferedImage image = render(trainingLoss, evalLoss, evalF1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", bytes)) {
      throw new IOException("cannot write " + png + ": this JVM has no PNG image writer");
    }
    byte[] data = bytes.toByteArray();
    AtomicFiles.write(png, channel -> {
      ByteBuffer buffer = ByteBuffer.wrap(data);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    });
  }

  /** The chart as an image (ARGB, {@link #WIDTH} x {@link #HEIGHT}). */
  static BufferedImage render(List<LogPoint> trainingLoss, List<LogPoint> evalLoss, List<LogPoint> evalF1) {
    List<LogPoint> train = finite(trainingLoss, "trainingLoss");
    List<LogPoint> eval = finite(evalLoss, "evalLoss");
    List<LogPoint> f1 = finite(evalF1, "evalF1");

    double[] steps = range(List.of(train, eval, f1), true);
    double[] losses = range(List.of(train, eval), false);
    Axis x = Axis.of(Math.min(0, steps[0]), steps[1]);
    Axis left = Axis.of(Math.min(0, losses[0]), losses[1]);
    Axis right = new Axis(0, 1, 0.2);

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      Plot plot = new Plot(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM, x);
      drawGridAndAxes(g, plot, left, right);
      drawSeries(g, plot, left, train, TRAINING_LOSS_COLOR);
      drawSeries(g, plot, left, eval, EVAL_LOSS_COLOR);
      drawSeries(g, plot, right, f1, EVAL_F1_COLOR);
      drawText(g, plot, left, right);
    } finally {
      g.dispose();
    }
    return image;
  }

  private static List<LogPoint> finite(List<LogPoint> points, String name) {
    if (points == null) {
      throw new IllegalArgumentException(name + " is null; pass an empty list when nothing was logged");
    }
    List<LogPoint> out = new ArrayList<>();
    for (LogPoint p : points) {
      if (p == null) {
        throw new IllegalArgumentException(name + " holds a null point");
      }
      if (Double.isFinite(p.step()) && Double.isFinite(p.value())) {
        out.add(p);
      }
    }
    return out;
  }

  /** [min, max] of steps (or values) over all series; [0, 1] when there is none. */
  private static double[] range(List<List<LogPoint>> series, boolean steps) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (List<LogPoint> s : series) {
      for (LogPoint p : s) {
        double v = steps ? p.step() : p.value();
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return min > max ? new double[] {0, 1} : new double[] {min, max};
  }

  /** An axis from {@code min} to {@code max} with ticks every {@code tick}. */
  record Axis(double min, double max, double tick) {
    /** A "nice" axis (ticks at 1, 2 or 5 times a power of ten, about six of them) covering [lo, hi]. */
    static Axis of(double lo, double hi) {
      if (hi <= lo) {
        hi = lo + (lo == 0 ? 1 : Math.abs(lo));
      }
      double raw = (hi - lo) / 6;
      double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
      double tick = magnitude * (raw / magnitude <= 1 ? 1 : raw / magnitude <= 2 ? 2 : raw / magnitude <= 5 ? 5 : 10);
      return new Axis(Math.floor(lo / tick) * tick, Math.ceil(hi / tick) * tick, tick);
    }

    double fraction(double v) {
      return (v - min) / (max - min);
    }

    List<Double> ticks() {
      List<Double> out = new ArrayList<>();
      for (int i = 0; min + i * tick <= max + tick * 1e-9; i++) {
        out.add(min + i * tick);
      }
      return out;
    }

    String label(double v) {
      if (tick >= 1 && Math.abs(v) < 1e15) {
        return Long.toString(Math.round(v));
      }
      int decimals = (int) Math.max(0, Math.ceil(-Math.log10(tick) - 1e-9));
      return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    }
  }

  private record Plot(int x, int y, int width, int height, Axis steps) {
    double px(double step) {
      return x + steps.fraction(step) * width;
    }

    double py(Axis axis, double value) {
      return y + height - axis.fraction(value) * height;
    }
  }

  private static void drawGridAndAxes(Graphics2D g, Plot plot, Axis left, Axis right) {
    g.setStroke(new BasicStroke(1f));
    g.setColor(new Color(230, 230, 230));
    for (double t : left.ticks()) {
      g.draw(new Line2D.Double(plot.x(), plot.py(left, t), plot.x() + plot.width(), plot.py(left, t)));
    }
    for (double t : plot.steps().ticks()) {
      g.draw(new Line2D.Double(plot.px(t), plot.y(), plot.px(t), plot.y() + plot.height()));
    }
    g.setColor(Color.BLACK);
    g.drawRect(plot.x(), plot.y(), plot.width(), plot.height());
    for (double t : left.ticks()) {
      g.draw(new Line2D.Double(plot.x() - 5, plot.py(left, t), plot.x(), plot.py(left, t)));
    }
    for (double t : right.ticks()) {
      double yy = plot.py(right, t);
      g.draw(new Line2D.Double(plot.x() + plot.width(), yy, plot.x() + plot.width() + 5, yy));
    }
    for (double t : plot.steps().ticks()) {
      double xx = plot.px(t);
      g.draw(new Line2D.Double(xx, plot.y() + plot.height(), xx, plot.y() + plot.height() + 5));
    }
  }

  private static void drawSeries(Graphics2D g, Plot plot, Axis axis, List<LogPoint> points, Color color) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    List<LogPoint> sorted = new ArrayList<>(points);
    sorted.sort((a, b) -> Double.compare(a.step(), b.step()));
    if (sorted.size() > 1) {
      Path2D.Double line = new Path2D.Double();
      for (int i = 0; i < sorted.size(); i++) {
        LogPoint p = sorted.get(i);
        if (i == 0) {
          line.moveTo(plot.px(p.step()), plot.py(axis, p.value()));
        } else {
          line.lineTo(plot.px(p.step()), plot.py(axis, p.value()));
        }
      }
      g.draw(line);
    }
    // markers keep single points and sparse evaluation series visible; dense logging reads better without
    if (sorted.size() <= 60) {
      for (LogPoint p : sorted) {
        g.fill(new java.awt.geom.Ellipse2D.Double(plot.px(p.step()) - 3.5, plot.py(axis, p.value()) - 3.5, 7, 7));
      }
    }
  }

  /**
   * Tick labels, axis titles and the legend. Text needs fonts; on a server without any, Java2D fails inside
   * font lookup (an exception, an InternalError, or an UnsatisfiedLinkError when libfontmanager cannot load its
   * libfreetype: a LinkageError), and a chart without text beats no chart or a failed run, so that failure is logged
   * and the lines stay.
   */
  private static void drawText(Graphics2D g, Plot plot, Axis left, Axis right) {
    try {
      g.setFont(fonts.font(Font.PLAIN, 13));
      FontMetrics fm = g.getFontMetrics();
      g.setColor(Color.BLACK);
      for (double t : left.ticks()) {
        String s = left.label(t);
        g.drawString(s, plot.x() - 8 - fm.stringWidth(s), (int) plot.py(left, t) + fm.getAscent() / 2 - 1);
      }
      for (double t : right.ticks()) {
        g.drawString(right.label(t), plot.x() + plot.width() + 8, (int) plot.py(right, t) + fm.getAscent() / 2 - 1);
      }
      for (double t : plot.steps().ticks()) {
        String s = plot.steps().label(t);
        g.drawString(s, (int) plot.px(t) - fm.stringWidth(s) / 2, plot.y() + plot.height() + 8 + fm.getAscent());
      }
      String xTitle = "step";
      g.drawString(xTitle, plot.x() + plot.width() / 2 - fm.stringWidth(xTitle) / 2, HEIGHT - 15);
      verticalText(g, "loss", 20, plot.y() + plot.height() / 2, fm);
      verticalText(g, "F1", WIDTH - 20, plot.y() + plot.height() / 2, fm);
      g.setFont(fonts.font(Font.BOLD, 15));
      String title = "Training loss, evaluation loss and F1";
      g.drawString(title, WIDTH / 2 - g.getFontMetrics().stringWidth(title) / 2, 30);
      g.setFont(fonts.font(Font.PLAIN, 13));
      legend(g, plot, fm);
    } catch (RuntimeException | LinkageError | InternalError e) {
      LOG.warn("training chart drawn without text: Java2D could not render fonts ({})", e.toString());
    }
  }

  private static void verticalText(Graphics2D g, String text, int x, int y, FontMetrics fm) {
    Graphics2D rotated = (Graphics2D) g.create();
    try {
      rotated.translate(x, y);
      rotated.rotate(-Math.PI / 2);
      rotated.drawString(text, -fm.stringWidth(text) / 2, fm.getAscent() / 2);
    } finally {
      rotated.dispose();
    }
  }

  /** One row under the title: a coloured line and the name of each series. */
  private static void legend(Graphics2D g, Plot plot, FontMetrics fm) {
    String[] names = {"training loss", "eval loss", "eval F1 (right axis)"};
    Color[] colors = {TRAINING_LOSS_COLOR, EVAL_LOSS_COLOR, EVAL_F1_COLOR};
    int total = 0;
    for (String n : names) {
      total += 34 + fm.stringWidth(n) + 24;
    }
    int xx = WIDTH / 2 - total / 2;
    int yy = plot.y() - 20;
    for (int i = 0; i < names.length; i++) {
      g.setColor(colors[i]);
      g.setStroke(new BasicStroke(3f));
      g.drawLine(xx, yy, xx + 26, yy);
      g.setColor(Color.BLACK);
      g.drawString(names[i], xx + 34, yy + fm.getAscent() / 2 - 2);
      xx += 34 + fm.stringWidth(names[i]) + 24;
    }
  }
}
