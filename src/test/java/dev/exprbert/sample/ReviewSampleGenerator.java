package dev.exprbert.sample;

import static dev.exprbert.sample.ReviewLexicon.*;

import dev.exprbert.data.LabeledSentence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates the shipped expression-tagging sample ({@code src/main/resources/dev/exprbert/sample/}):
 * synthetic English review sentences (hotels, restaurants, products) tagged in BIO with POS and NEG
 * (polar expressions), TIME (temporal expressions) and MWE (multiword expressions: compound nouns and
 * discourse phrases). Twelve templates with optional clauses, spans of one to six tokens, and
 * distractor words that look like an expression but are not one ({@link ReviewLexicon}).
 *
 * <p>Reproducible: {@link java.util.Random} is specified to give the same sequence for a seed on every
 * JVM, and the dev set is drawn with its own seed and keeps no sentence that is also in train. Run
 * {@code main} with the output folder to rewrite the files; a test checks they match byte for byte.
 */
public final class ReviewSampleGenerator {
  public static final long TRAIN_SEED = 20261126L;
  public static final long DEV_SEED = 20261127L;
  public static final int TRAIN_SENTENCES = 900;
  public static final int DEV_SENTENCES = 220;
  public static final List<String> LABELS =
      List.of("O", "B-POS", "I-POS", "B-NEG", "I-NEG", "B-TIME", "I-TIME", "B-MWE", "I-MWE");
  private static final int TEMPLATES = 12;

  private final Random random;
  private final List<String> words = new ArrayList<>();
  private final List<String> tags = new ArrayList<>();

  private ReviewSampleGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** Writes train.conll and dev.conll into {@code args[0]} (default: the resource folder of this checkout). */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/main/resources/dev/exprbert/sample");
    write(dir);
    System.out.println("wrote " + dir.resolve("train.conll") + " and " + dir.resolve("dev.conll"));
  }

  /** Writes both files into {@code dir} (created if needed). */
  public static void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Set<String> seen = new HashSet<>();
    Files.writeString(dir.resolve("train.conll"), toConll(generate(TRAIN_SEED, TRAIN_SENTENCES, seen, "train.conll")),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("dev.conll"), toConll(generate(DEV_SEED, DEV_SENTENCES, seen, "dev.conll")),
        StandardCharsets.UTF_8);
  }

  /**
   * {@code count} distinct sentences from {@code seed}, none of them already in {@code seen} (which
   * gains them), so that a second set drawn with the same {@code seen} shares no sentence with the first.
   */
  public static List<LabeledSentence> generate(long seed, int count, Set<String> seen, String source) {
    ReviewSampleGenerator g = new ReviewSampleGenerator(seed);
    List<LabeledSentence> out = new ArrayList<>(count);
    int attempts = 0;
    while (out.size() < count) {
      if (++attempts > count * 50) {
        throw new IllegalStateException("only " + out.size() + " distinct sentences after " + attempts + " attempts; expected "
            + count + " (the templates are too few for this count)");
      }
      LabeledSentence s = g.next(source, out.size() + 1);
      if (seen.add(String.join(" ", s.words()))) {
        out.add(s);
      }
    }
    return out;
  }

  /** CoNLL: one {@code word<TAB>tag} line per token, a blank line after each sentence. */
  public static String toConll(List<LabeledSentence> sentences) {
    StringBuilder sb = new StringBuilder();
    for (LabeledSentence s : sentences) {
      for (int i = 0; i < s.size(); i++) {
        sb.append(s.words().get(i)).append('\t').append(s.tags().get(i)).append('\n');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private LabeledSentence next(String source, long index) {
    words.clear();
    tags.clear();
    Domain d = Domain.values()[random.nextInt(Domain.values().length)];
    switch (random.nextInt(TEMPLATES)) {
      case 0 -> { // [Time ,] aspect was polar .
        if (random.nextBoolean()) {
          timePoint();
          o(",");
        }
        aspect(d);
        o(pick("was", "seemed", "looked", "felt"));
        polar();
      }
      case 1 -> { // aspect was polar but aspect was polar .
        aspect(d);
        o("was");
        polar();
        o(pick(", but", "but", "and", ", while", ", whereas"));
        aspect(d);
        o(pick("was", "turned out to be"));
        polar();
      }
      case 2 -> { // Discourse , aspect was polar .
        span(pick(DISCOURSE_MWES), "MWE");
        o(",");
        aspect(d);
        o(pick("was", "is", "has been"));
        polar();
      }
      case 3 -> { // subject verb time and aspect was polar .
        o(pick(SUBJECTS));
        o(pick(d.verbs));
        timePoint();
        o(pick("and", ", and", "; sadly", "; luckily"));
        aspect(d);
        o("was");
        polar();
      }
      case 4 -> { // subject waited for duration for the MWE , which was polar .
        o(pick(SUBJECTS));
        o(pick("waited", "queued", "had to wait"));
        o("for");
        span(pick(DURATIONS), "TIME");
        o(pick("for the", "to use the", "before we could try the"));
        span(pick(d.mwes), "MWE");
        o(pick(", which was", "and it was", "; it was"));
        polar();
      }
      case 5 -> { // Verdict !
        if (random.nextBoolean()) {
          span(pick(POSITIVE_VERDICTS), "POS");
        } else {
          span(pick(NEGATIVE_VERDICTS), "NEG");
        }
        if (random.nextBoolean()) {
          o(pick("after", "after only"));
          span(pick(DURATIONS), "TIME");
        }
        o(pick("!", "."));
        return finish(source, index);
      }
      case 6 -> { // the MWE was polar , although aspect was polar .
        o("the");
        span(pick(d.mwes), "MWE");
        o("was");
        polar();
        o(pick(", although", ", even though", "; however ,"));
        aspect(d);
        o("was");
        polar();
      }
      case 7 -> { // distractor , optionally with a time
        o(pick(DISTRACTORS));
        if (random.nextInt(3) == 0) {
          timePoint();
        }
      }
      case 8 -> { // subject verb for duration in time ; aspect was polar .
        o(pick(SUBJECTS));
        o(pick(d.verbs));
        o("for");
        span(pick(DURATIONS), "TIME");
        o(pick("in", "during"));
        span(pick(IN_TIMES), "TIME");
        o(pick(";", ", and", "and"));
        aspect(d);
        o("was");
        polar();
      }
      case 9 -> { // Time the aspect , including the MWE , was polar .
        timePoint();
        aspect(d);
        boolean pair = random.nextBoolean();
        o(pair ? "and the" : pick(", like the", ", including the"));
        span(pick(d.mwes), "MWE");
        o(pair ? pick("were", "were both") : ", was");
        polar();
      }
      case 10 -> { // I would say the aspect is polar , not polar .
        o(pick("honestly", "I would say", "in my opinion", "frankly"));
        o(",");
        aspect(d);
        o(pick("is", "was"));
        boolean positive = random.nextBoolean();
        span(pick(positive ? POSITIVE : NEGATIVE), positive ? "POS" : "NEG");
        o(pick(", not", "rather than"));
        span(pick(positive ? NEGATIVE : POSITIVE), positive ? "NEG" : "POS");
      }
      default -> { // Discourse , subject verb time ; verdict .
        span(pick(DISCOURSE_MWES), "MWE");
        o(",");
        o(pick(SUBJECTS));
        o(pick(d.verbs));
        timePoint();
        o(pick("and", "-", ";"));
        if (random.nextBoolean()) {
          span(pick(POSITIVE_VERDICTS), "POS");
        } else {
          span(pick(NEGATIVE_VERDICTS), "NEG");
        }
      }
    }
    o(random.nextInt(8) == 0 ? "!" : ".");
    return finish(source, index);
  }

  private LabeledSentence finish(String source, long index) {
    String first = words.get(0);
    words.set(0, Character.toUpperCase(first.charAt(0)) + first.substring(1));
    return new LabeledSentence(List.copyOf(words), List.copyOf(tags), source, index);
  }

  private enum Domain {
    HOTEL(HOTEL_ASPECTS, HOTEL_MWES, HOTEL_VERBS),
    RESTAURANT(RESTAURANT_ASPECTS, RESTAURANT_MWES, RESTAURANT_VERBS),
    PRODUCT(PRODUCT_ASPECTS, PRODUCT_MWES, PRODUCT_VERBS);

    final String[] aspects;
    final String[] mwes;
    final String[] verbs;

    Domain(String[] aspects, String[] mwes, String[] verbs) {
      this.aspects = aspects;
      this.mwes = mwes;
      this.verbs = verbs;
    }
  }

  /** A plain aspect ("the room", O) or, one time in four, a multiword one ("the room service", MWE). */
  private void aspect(Domain d) {
    if (random.nextInt(4) == 0) {
      o("the");
      span(pick(d.mwes), "MWE");
    } else {
      o(pick(d.aspects));
    }
  }

  /** A polar expression, sometimes with an intensifier outside the span. */
  private void polar() {
    if (random.nextInt(6) == 0) {
      o(pick("honestly", "just", "simply", "frankly"));
    }
    if (random.nextBoolean()) {
      span(pick(POSITIVE), "POS");
    } else {
      span(pick(NEGATIVE), "NEG");
    }
  }

  /** A point in time with its preposition outside the span ("on Monday": O TIME). */
  private void timePoint() {
    switch (random.nextInt(4)) {
      case 0 -> span(pick(DEICTIC_TIMES), "TIME");
      case 1 -> {
        o("on");
        span(pick(ON_TIMES), "TIME");
      }
      case 2 -> {
        o("in");
        span(pick(IN_TIMES), "TIME");
      }
      default -> {
        o("at");
        span(pick(AT_TIMES), "TIME");
      }
    }
  }

  private void o(String text) {
    span(text, "O");
  }

  private void span(String text, String type) {
    String[] tokens = text.trim().split(" +");
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i].isEmpty()) {
        continue;
      }
      words.add(tokens[i]);
      tags.add(type.equals("O") ? "O" : (i == 0 ? "B-" : "I-") + type);
    }
  }

  private String pick(String... options) {
    return options[random.nextInt(options.length)];
  }
}
