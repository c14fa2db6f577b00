/**
 * {@code exprbert serve}: a token classifier behind HTTP, with the windows of concurrent requests batched into one
 * forward pass (packed when the attention is fused). Entry: {@link dev.exprbert.serve.TaggingServer}.
 */
package dev.exprbert.serve;
