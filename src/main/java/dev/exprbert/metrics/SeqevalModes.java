package dev.exprbert.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * seqeval's string {@code mode} + optional {@code scheme} arguments, resolved the way seqeval
 * resolves them, for callers that must reproduce a Python evaluation exactly (pitfall 2).
 *
 * <p>The two resolutions disagree on purpose, because seqeval does: for the same
 * {@code mode="strict"} and no scheme, the score functions silently use default mode while the
 * classification report (and so Hugging Face {@code evaluate}) detects a scheme from y_true. New
 * code should pass a {@link Mode} directly.
 */
public final class SeqevalModes {
  private static final Logger LOG = LoggerFactory.getLogger(SeqevalModes.class);

  private SeqevalModes() {}

  /**
   * {@code precision_score}/{@code recall_score}/{@code f1_score}: strict only when
   * {@code mode.equals("strict")} and a scheme is given ({@code if mode == 'strict' and scheme:}),
   * default otherwise.
   */
  public static Mode forScoreFunctions(String mode, Scheme scheme) {
    if ("strict".equals(mode) && scheme != null) {
      return Mode.strict(scheme);
    }
    if ("strict".equals(mode)) {
      LOG.warn(
          "mode='strict' without a scheme: seqeval's precision/recall/f1_score fall back to"
              + " default mode here, while classification_report detects a scheme from y_true;"
              + " pass Mode.strict(scheme) to get strict scores");
    }
    return Mode.DEFAULT;
  }

  /**
   * {@code classification_report} (and Hugging Face {@code evaluate}'s seqeval): strict when
   * {@code mode.equals("strict")}, with the given scheme or else the one
   * {@link Seqeval#autoDetectScheme detected} from {@code yTrue}; default otherwise (a scheme is
   * then ignored).
   */
  public static Mode forClassificationReport(
      String mode, Scheme scheme, List<List<String>> yTrue) {
    if (!"strict".equals(mode)) {
      return Mode.DEFAULT;
    }
    if (scheme != null) {
      return Mode.strict(scheme);
    }
    Scheme detected = SchemeDetector.detect(yTrue);
    LOG.warn(
        "mode='strict' without a scheme: seqeval's classification_report detected {} from"
            + " y_true, while its precision/recall/f1_score would use default mode",
        detected);
    return Mode.strict(detected);
  }

  /**
   * The mode to score a model with the label set {@code labels}: seqeval's strict mode under IOBES when the labels
   * use E- or S- prefixes, under BILOU when they use L- or U-, so that an entity is what the scheme says (seqeval's
   * default mode knows neither L nor U, and reads a lone I- as an entity); default mode for BIO, as run_ner scores.
   *
   * @throws IllegalArgumentException when the labels mix the two schemes' end prefixes
   */
  public static Mode forLabelSet(Collection<String> labels) {
    Set<Character> prefixes = new TreeSet<>();
    for (String label : labels) {
      if (label.length() >= 3 && label.charAt(1) == '-') {
        prefixes.add(label.charAt(0));
      }
    }
    boolean iobes = prefixes.contains('E') || prefixes.contains('S');
    boolean bilou = prefixes.contains('L') || prefixes.contains('U');
    if (iobes && bilou) {
      throw new IllegalArgumentException("the labels " + labels + " mix IOBES (E-, S-) and BILOU (L-, U-) prefixes;"
          + " expected one tagging scheme");
    }
    return iobes ? Mode.strict(Scheme.IOBES) : bilou ? Mode.strict(Scheme.BILOU) : Mode.DEFAULT;
  }
}
