package dev.exprbert.io;

import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deterministic input mutations for the loader fuzz test: a seed gives the same sequence of inputs on
 * every machine, so a failure is reproduced by its seed and iteration. Byte mutations follow the usual
 * fuzzer repertoire (bit flips, interesting values, 8-byte integers, chunk deletion, duplication and
 * truncation); text mutations target the numbers, strings and brackets a JSON parser and the checks
 * after it care about.
 */
final class SeededMutator {
  private static final long[] INTERESTING_LONGS = {0, 1, -1, 2, 3, 7, 8, 255, 256, 65_535, 65_536, Integer.MAX_VALUE,
      Integer.MAX_VALUE + 1L, 1L << 32, (1L << 32) + 1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, -2, 1_000_000_000};
  private static final String[] INTERESTING_NUMBERS = {"0", "-1", "1", "2", "3", "31", "32", "33", "64", "100", "99999",
      "65536", "65537", "1048577", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
      "9223372036854775808", "1e9", "1e400", "1.5", "-0", "1E2147483648", "NaN", "Infinity", "null", "true", "\"7\""};
  private static final String[] INTERESTING_TEXT = {"", "\"", "{", "}", "[", "]", ",", ":", "null", "[[[[[[[[[[",
      "\"\\u0000\"", "\"\\ud800\"", "{\"a\":1}", "[]", "{}", "\"F64\"", "\"BOOL\"", "\"I64\"", "\"F8_E4M3\"", "\"X\""};
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  private final Random random;

  SeededMutator(long seed) {
    this.random = new Random(seed);
  }

  int nextInt(int bound) {
    return random.nextInt(bound);
  }

  /** One to four byte-level mutations of {@code input} (a new array). */
  byte[] mutateBytes(byte[] input) {
    byte[] b = input.clone();
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      b = mutateOnce(b);
    }
    return b;
  }

  private byte[] mutateOnce(byte[] b) {
    if (b.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    int at = random.nextInt(b.length);
    switch (random.nextInt(8)) {
      case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, 0x01, '(', ')', '.', 'R', 'Q'}[random.nextInt(10)];
      case 2 -> {
        long v = INTERESTING_LONGS[random.nextInt(INTERESTING_LONGS.length)];
        int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
        for (int i = 0; i < width && at + i < b.length; i++) {
          b[at + i] = (byte) (v >> (8 * i));
        }
      }
      case 3 -> {
        int len = Math.min(b.length - at, 1 + random.nextInt(16));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case 4 -> {
        int len = Math.min(b.length - at, 1 + random.nextInt(32));
        int to = random.nextInt(b.length);
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, to);
        System.arraycopy(b, at, out, to, len);
        System.arraycopy(b, to, out, to + len, b.length - to);
        return out;
      }
      case 5 -> {
        return Arrays.copyOf(b, at);
      }
      case 6 -> b[at] = (byte) random.nextInt(256);
      default -> {
        int len = Math.min(b.length - at, 1 + random.nextInt(8));
        for (int i = 0; i < len; i++) {
          b[at + i] = (byte) random.nextInt(256);
        }
      }
    }
    return b;
  }

  /** One to three JSON-aware mutations of {@code text}. */
  String mutateJson(String text) {
    String s = text;
    int rounds = 1 + random.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      s = mutateJsonOnce(s);
    }
    return s;
  }

  private String mutateJsonOnce(String s) {
    switch (random.nextInt(6)) {
      case 0, 1 -> {
        return replaceRandomMatch(s, NUMBER, INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length)]);
      }
      case 2 -> {
        return replaceRandomMatch(s, STRING, INTERESTING_TEXT[random.nextInt(INTERESTING_TEXT.length)]);
      }
      case 3 -> {
        if (s.isEmpty()) {
          return s;
        }
        int at = random.nextInt(s.length());
        int len = Math.min(s.length() - at, 1 + random.nextInt(12));
        return s.substring(0, at) + s.substring(at + len);
      }
      case 4 -> {
        int at = s.isEmpty() ? 0 : random.nextInt(s.length());
        return s.substring(0, at) + INTERESTING_TEXT[random.nextInt(INTERESTING_TEXT.length)] + s.substring(at);
      }
      default -> {
        int at = s.isEmpty() ? 0 : random.nextInt(s.length());
        char c = new char[] {'\u0000', '\ud800', '\u00e9', '\\', '\n', '-', 'e', '9'}[random.nextInt(8)];
        return s.substring(0, at) + c + s.substring(at);
      }
    }
  }

  private String replaceRandomMatch(String s, Pattern pattern, String replacement) {
    Matcher m = pattern.matcher(s);
    int count = 0;
    while (m.find()) {
      count++;
    }
    if (count == 0) {
      return s;
    }
    int pick = random.nextInt(count);
    m.reset();
    for (int i = 0; i <= pick; i++) {
      m.find();
    }
    return s.substring(0, m.start()) + replacement + s.substring(m.end());
  }
}
