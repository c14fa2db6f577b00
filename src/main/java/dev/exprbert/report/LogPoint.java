package dev.exprbert.report;

/** One value of a logged series (training loss, eval loss, eval F1) at a global step. */
public record LogPoint(double step, double value) {}
