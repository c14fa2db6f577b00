package dev.exprbert.train;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one training setting on its {@link TrainingConfig} component: the Hugging Face name it goes by in JSON
 * files, CLI flags and {@code training_args.json}, its default, its help text, extra flag spellings and the range
 * check of its value. This annotation and the component it sits on are the whole declaration: the builder, the
 * JSON reader and writer and the CLI flags are derived from it ({@link TrainingConfigKeys}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
@interface Setting {
  /** Written for {@link #byDefault} when the default is null (or false / 0 for primitives without one). */
  String NONE = "\u0000none";

  /** The Hugging Face name ({@code learning_rate}); the CLI also takes it dashed ({@code --learning-rate}). */
  String name();

  /** The default as command-line text, parsed like a flag's value. */
  String byDefault() default NONE;

  /** One sentence for {@code --help}. */
  String help();

  /** Extra CLI spellings with their dashes ({@code --reinit-head}). */
  String[] aliases() default {};

  /** The range rule of a number (checked when the config is built). */
  Check check() default Check.NONE;

  /** Whether JSON null and "none"/"null" on the command line are allowed (always for Integer, Long, Boolean). */
  boolean nullable() default false;

  /** Range rules of numeric settings; each names the setting and the value in its message. */
  enum Check {
    NONE,
    /** >= 1 */
    POSITIVE,
    /** >= 0 */
    NON_NEGATIVE,
    /** finite and >= 0 */
    FINITE_NON_NEGATIVE,
    /** in [0, 1] */
    FRACTION;

    /** Throws IllegalArgumentException when {@code value} (null passes: it is unset) breaks this rule. */
    void require(String name, Object value) {
      if (!(value instanceof Number number)) {
        return;
      }
      double v = number.doubleValue();
      switch (this) {
        case POSITIVE -> {
          if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, found " + value);
          }
        }
        case NON_NEGATIVE -> {
          if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, found " + value);
          }
        }
        case FINITE_NON_NEGATIVE -> {
          if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, found " + value);
          }
        }
        case FRACTION -> {
          if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], found " + value);
          }
        }
        case NONE -> { }
      }
    }
  }
}
