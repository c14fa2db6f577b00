/**
 * What every other package runs on: loading LibTorch once with its CPU thread pools sized by one plan, device and
 * precision placement, tensor helpers, and the
 * count of device-to-host reads.
 */
package dev.exprbert.runtime;
