package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small, seeded, made-up expression-tagging corpus for the quick-start job: sentences built from
 * templates with temporal expressions (TIME) and emotion expressions (EMO) in BIO form. It exists so
 * the first command needs no download; it says nothing about real-data accuracy.
 */
public final class SyntheticExpressions {
  public static final List<String> LABELS = List.of("O", "B-TIME", "I-TIME", "B-EMO", "I-EMO");

  private static final String[] SUBJECTS = {"We", "My sister", "The manager", "Our guests", "I", "They", "The staff", "Anna"};
  private static final String[] VERBS = {"arrived", "checked in", "called", "left", "met the team", "visited the museum",
      "had dinner", "booked a room", "wrote back", "came home"};
  private static final String[][] TIMES = {{"yesterday"}, {"on", "Monday"}, {"last", "night"}, {"next", "week"},
      {"at", "noon"}, {"in", "March"}, {"this", "morning"}, {"on", "Friday", "evening"}, {"two", "days", "ago"},
      {"at", "7", "pm"}, {"tomorrow"}, {"in", "the", "afternoon"}};
  private static final String[][] EMOTIONS = {{"happy"}, {"very", "pleased"}, {"disappointed"}, {"absolutely", "thrilled"},
      {"a", "bit", "nervous"}, {"angry"}, {"deeply", "grateful"}, {"relieved"}, {"quite", "upset"}, {"excited"}};
  private static final String[] LINKS = {"and felt", "and was", "feeling", "but seemed"};

  private SyntheticExpressions() {}

  public static List<LabeledSentence> generate(int count, long seed, String source) {
    Random random = new Random(seed);
    List<LabeledSentence> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<String> words = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      boolean timeFirst = random.nextInt(3) == 0;
      String[] time = TIMES[random.nextInt(TIMES.length)];
      if (timeFirst) {
        span(words, tags, capitalize(time), "TIME");
        words.add(",");
        tags.add("O");
        plain(words, tags, lowerFirst(SUBJECTS[random.nextInt(SUBJECTS.length)]));
      } else {
        plain(words, tags, SUBJECTS[random.nextInt(SUBJECTS.length)]);
      }
      plain(words, tags, VERBS[random.nextInt(VERBS.length)]);
      if (!timeFirst) {
        span(words, tags, time, "TIME");
      }
      if (random.nextBoolean()) {
        plain(words, tags, LINKS[random.nextInt(LINKS.length)]);
        span(words, tags, EMOTIONS[random.nextInt(EMOTIONS.length)], "EMO");
      }
      words.add(".");
      tags.add("O");
      out.add(new LabeledSentence(words, tags, source, i + 1));
    }
    return out;
  }

  private static void plain(List<String> words, List<String> tags, String text) {
    for (String w : text.split(" ")) {
      words.add(w);
      tags.add("O");
    }
  }

  private static void span(List<String> words, List<String> tags, String[] span, String type) {
    for (int i = 0; i < span.length; i++) {
      words.add(span[i]);
      tags.add((i == 0 ? "B-" : "I-") + type);
    }
  }

  private static String[] capitalize(String[] span) {
    String[] out = span.clone();
    out[0] = Character.toUpperCase(out[0].charAt(0)) + out[0].substring(1);
    return out;
  }

  private static String lowerFirst(String s) {
    return s.equals("I") ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
