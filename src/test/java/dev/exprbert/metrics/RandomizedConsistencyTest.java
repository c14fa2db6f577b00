package dev.exprbert.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random tag sequences checked against simple independent oracles and against the formulas:
 * IOB2 strict = every B-X plus its run of I-X; IOBES strict = S-X, or B-X I-X* E-X; default mode
 * on well-formed BIO = conlleval chunks; scores = the P/R/F1 formulas over entity sets; micro =
 * pooled counts; macro/weighted = (weighted) means of the per-type rows; streaming = batch.
 */
class RandomizedConsistencyTest {
  private static final String[] TYPES = {"PER", "LOC", "ORG"};

  private static List<List<String>> randomSentences(Random random, String[] prefixes, int count) {
    List<List<String>> sentences = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int length = random.nextInt(9); // empty sentences included
      List<String> sentence = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        String prefix = prefixes[random.nextInt(prefixes.length)];
        sentence.add(prefix.equals("O") ? "O" : prefix + "-" + TYPES[random.nextInt(TYPES.length)]);
      }
      sentences.add(sentence);
    }
    return sentences;
  }

  /** Same sentence lengths, labels corrupted at random positions. */
  private static List<List<String>> perturb(
      Random random, List<List<String>> gold, String[] prefixes) {
    List<List<String>> pred = new ArrayList<>();
    for (List<String> sentence : gold) {
      List<String> copy = new ArrayList<>(sentence);
      for (int i = 0; i < copy.size(); i++) {
        if (random.nextInt(4) == 0) {
          String prefix = prefixes[random.nextInt(prefixes.length)];
          copy.set(i, prefix.equals("O") ? "O" : prefix + "-" + TYPES[random.nextInt(3)]);
        }
      }
      pred.add(copy);
    }
    return pred;
  }

  private static String typeOf(String label) {
    return label.substring(2);
  }

  private static List<Entity> iob2Oracle(List<List<String>> sentences) {
    List<Entity> out = new ArrayList<>();
    for (int s = 0; s < sentences.size(); s++) {
      List<String> t = sentences.get(s);
      for (int i = 0; i < t.size(); i++) {
        if (t.get(i).startsWith("B-")) {
          String type = typeOf(t.get(i));
          int j = i + 1;
          while (j < t.size() && t.get(j).equals("I-" + type)) {
            j++;
          }
          out.add(new Entity(type, s, i, j));
        }
      }
    }
    return out;
  }

  private static List<Entity> iobesOracle(List<List<String>> sentences) {
    List<Entity> out = new ArrayList<>();
    for (int s = 0; s < sentences.size(); s++) {
      List<String> t = sentences.get(s);
      for (int i = 0; i < t.size(); i++) {
        String label = t.get(i);
        if (label.startsWith("S-")) {
          out.add(new Entity(typeOf(label), s, i, i + 1));
        } else if (label.startsWith("B-")) {
          String type = typeOf(label);
          int j = i + 1;
          while (j < t.size() && t.get(j).equals("I-" + type)) {
            j++;
          }
          if (j < t.size() && t.get(j).equals("E-" + type)) {
            out.add(new Entity(type, s, i, j + 1));
          }
        }
      }
    }
    return out;
  }

  /** conlleval on B/I/O: a chunk starts at B-X, or at I-X after O or another type. */
  private static List<Entity> bioDefaultOracle(List<List<String>> sentences) {
    List<Entity> out = new ArrayList<>();
    for (int s = 0; s < sentences.size(); s++) {
      List<String> t = sentences.get(s);
      int i = 0;
      while (i < t.size()) {
        if (t.get(i).equals("O")) {
          i++;
          continue;
        }
        String type = typeOf(t.get(i));
        int j = i + 1;
        while (j < t.size() && t.get(j).equals("I-" + type)) {
          j++;
        }
        out.add(new Entity(type, s, i, j));
        i = j;
      }
    }
    return out;
  }

  @Test
  void strictAndDefaultEntitiesMatchOracles() {
    Random random = new Random(20261126);
    String[] bio = {"B", "I", "O", "O"};
    String[] iobes = {"B", "I", "E", "S", "O", "O"};
    for (int round = 0; round < 300; round++) {
      List<List<String>> bioTags = randomSentences(random, bio, 1 + random.nextInt(6));
      assertEquals(
          iob2Oracle(bioTags), Seqeval.entities(bioTags, Mode.strict(Scheme.IOB2)), "" + bioTags);
      assertEquals(bioDefaultOracle(bioTags), Seqeval.entities(bioTags, Mode.DEFAULT), "" + bioTags);
      List<List<String>> iobesTags = randomSentences(random, iobes, 1 + random.nextInt(6));
      assertEquals(
          iobesOracle(iobesTags),
          Seqeval.entities(iobesTags, Mode.strict(Scheme.IOBES)),
          "" + iobesTags);
    }
  }

  @Test
  void scoresFollowTheFormulasInEveryMode() {
    Random random = new Random(7);
    List<Object[]> setups =
        List.of(
            new Object[] {Mode.DEFAULT, new String[] {"B", "I", "E", "S", "U", "L", "O"}},
            new Object[] {Mode.strict(Scheme.IOB1), new String[] {"B", "I", "O"}},
            new Object[] {Mode.strict(Scheme.IOB2), new String[] {"B", "I", "O"}},
            new Object[] {Mode.strict(Scheme.IOE1), new String[] {"I", "E", "O"}},
            new Object[] {Mode.strict(Scheme.IOE2), new String[] {"I", "E", "O"}},
            new Object[] {Mode.strict(Scheme.IOBES), new String[] {"B", "I", "E", "S", "O"}},
            new Object[] {Mode.strict(Scheme.BILOU), new String[] {"B", "I", "L", "U", "O"}});
    for (Object[] setup : setups) {
      Mode mode = (Mode) setup[0];
      String[] prefixes = (String[]) setup[1];
      for (int round = 0; round < 100; round++) {
        List<List<String>> gold = randomSentences(random, prefixes, 1 + random.nextInt(8));
        List<List<String>> pred = perturb(random, gold, prefixes);
        checkScores(gold, pred, mode);
      }
    }
  }

  private static void checkScores(List<List<String>> gold, List<List<String>> pred, Mode mode) {
    String what = mode + " " + gold + " vs " + pred;
    SeqevalAccumulator streamed = new SeqevalAccumulator(mode);
    for (int s = 0; s < gold.size(); s++) {
      streamed.add(gold.get(s), pred.get(s));
      streamed.precision(Average.MICRO, ZeroDivision.ZERO); // results midway change nothing
    }
    Set<Entity> goldSet = new HashSet<>(Seqeval.entities(gold, mode));
    Set<Entity> predSet = new HashSet<>(Seqeval.entities(pred, mode));
    Set<Entity> hits = new HashSet<>(goldSet);
    hits.retainAll(predSet);
    double p = predSet.isEmpty() ? 0 : (double) hits.size() / predSet.size();
    double r = goldSet.isEmpty() ? 0 : (double) hits.size() / goldSet.size();
    double f = p + r == 0 ? 0 : 2 * p * r / (p + r);

    ClassificationReport report = streamed.classificationReport(ZeroDivision.ZERO);
    assertEquals(p, report.microAvg().precision(), 0.0, what);
    assertEquals(r, report.microAvg().recall(), 0.0, what);
    assertEquals(f, report.microAvg().f1(), 1e-15, what);
    assertEquals(goldSet.size(), report.microAvg().support(), what);
    assertEquals(report.microAvg().f1(), Seqeval.f1Score(gold, pred, mode), 0.0, what);

    EntityCounts counts = streamed.entityCounts();
    assertEquals(hits.size(), counts.truePositives(), what);
    assertEquals(predSet.size(), counts.predicted(), what);
    long supportSum = 0;
    double macroP = 0;
    double weightedR = 0;
    for (ScoreRow row : report.types()) {
      supportSum += row.support();
      macroP += row.precision();
      weightedR += row.recall() * row.support();
      double rowF = row.precision() + row.recall() == 0
          ? 0 : 2 * row.precision() * row.recall() / (row.precision() + row.recall());
      assertEquals(rowF, row.f1(), 1e-15, what);
    }
    assertEquals(goldSet.size(), supportSum, what);
    if (!report.types().isEmpty()) {
      assertEquals(macroP / report.types().size(), report.macroAvg().precision(), 1e-12, what);
    }
    if (supportSum > 0) {
      assertEquals(weightedR / supportSum, report.weightedAvg().recall(), 1e-12, what);
    }
    assertEquals(
        Seqeval.classificationReport(gold, pred, mode, ZeroDivision.ZERO).toDict(),
        report.toDict(),
        what);
  }
}
