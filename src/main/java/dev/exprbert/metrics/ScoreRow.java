package dev.exprbert.metrics;

/** One row of a classification report: a type name or "micro avg" / "macro avg" / "weighted avg". */
public record ScoreRow(String name, double precision, double recall, double f1, long support) {}
