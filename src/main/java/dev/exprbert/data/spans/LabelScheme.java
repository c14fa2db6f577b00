package dev.exprbert.data.spans;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How entities over words become one tag per word, and back.
 *
 * <ul>
 *   <li>{@link #BIO} (IOB2): {@code B-X} on the first word, {@code I-X} on the rest.
 *   <li>{@link #IOBES}: single words {@code S-X}; longer entities {@code B-X I-X... E-X}.
 *   <li>{@link #BILOU}: the same with {@code U-X} and {@code L-X}.
 * </ul>
 *
 * {@link #decode} reads any of the three (and IOBES/BILOU mixed in BIO files) leniently, the way
 * seqeval's default mode reads BIO: an {@code I-X} after {@code O} or after another type starts an
 * entity; an end tag ({@code E-}, {@code L-}, {@code S-}, {@code U-}) closes one.
 */
public enum LabelScheme {
  BIO("B", "I", "I", "B"),
  IOBES("B", "I", "E", "S"),
  BILOU("B", "I", "L", "U");

  private final String begin;
  private final String inside;
  private final String last;
  private final String single;

  LabelScheme(String begin, String inside, String last, String single) {
    this.begin = begin;
    this.inside = inside;
    this.last = last;
    this.single = single;
  }

  /** {@code bio} (or {@code iob2}), {@code iobes}, {@code bilou}, any case. */
  public static LabelScheme fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "bio", "iob2" -> BIO;
      case "iobes" -> IOBES;
      case "bilou" -> BILOU;
      default -> throw new IllegalArgumentException(
          "unknown label scheme \"" + name + "\": expected bio, iobes or bilou");
    };
  }

  /**
   * One tag per word for {@code wordCount} words. The ranges must not overlap.
   *
   * @throws IllegalArgumentException for overlapping ranges or a range past {@code wordCount}
   */
  public List<String> encode(int wordCount, List<WordRange> entities) {
    List<String> tags = new ArrayList<>(Collections.nCopies(wordCount, "O"));
    for (WordRange entity : entities) {
      if (entity.end() > wordCount) {
        throw new IllegalArgumentException(
            "entity " + entity + " ends past the sentence's " + wordCount + " words");
      }
      for (int w = entity.start(); w < entity.end(); w++) {
        if (!tags.get(w).equals("O")) {
          throw new IllegalArgumentException("entities overlap at word " + w + ": " + entity);
        }
        String prefix;
        if (entity.length() == 1) {
          prefix = single;
        } else if (w == entity.start()) {
          prefix = begin;
        } else if (w == entity.end() - 1) {
          prefix = last;
        } else {
          prefix = inside;
        }
        tags.set(w, prefix + "-" + entity.type());
      }
    }
    return tags;
  }

  /**
   * The entities a tag sequence spells, leniently (see the class comment). Tags are {@code O} or a
   * prefix letter from B, I, E, S, L, U, a hyphen and a type.
   *
   * @throws IllegalArgumentException naming the position for any other tag
   */
  public static List<WordRange> decode(List<String> tags) {
    List<WordRange> entities = new ArrayList<>();
    int start = -1;
    String type = null;
    for (int w = 0; w < tags.size(); w++) {
      String tag = tags.get(w);
      if (tag.equals("O")) {
        start = close(entities, start, w, type);
        continue;
      }
      if (tag.length() < 3 || tag.charAt(1) != '-') {
        throw new IllegalArgumentException(
            "tag " + w + " is \"" + tag + "\": expected O or a prefix B, I, E, S, L or U, a hyphen"
                + " and a type, e.g. B-PER");
      }
      char prefix = tag.charAt(0);
      String tagType = tag.substring(2);
      boolean continues = start >= 0 && tagType.equals(type);
      switch (prefix) {
        case 'B', 'S', 'U' -> {
          start = close(entities, start, w, type);
          start = w;
          type = tagType;
        }
        case 'I', 'E', 'L' -> {
          if (!continues) {
            start = close(entities, start, w, type);
            start = w;
            type = tagType;
          }
        }
        default -> throw new IllegalArgumentException(
            "tag " + w + " is \"" + tag + "\": its prefix must be one of B, I, E, S, L, U");
      }
      if (prefix == 'E' || prefix == 'L' || prefix == 'S' || prefix == 'U') {
        start = close(entities, start, w + 1, type);
      }
    }
    close(entities, start, tags.size(), type);
    return entities;
  }

  private static int close(List<WordRange> entities, int start, int end, String type) {
    if (start >= 0) {
      entities.add(new WordRange(start, end, type));
    }
    return -1;
  }
}
