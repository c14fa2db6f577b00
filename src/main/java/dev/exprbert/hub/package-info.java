/**
 * Model download by name: {@code org/name[@revision]} from a Hugging Face-compatible hub into a cache laid out as
 * huggingface_hub lays it out ({@code models--org--name/blobs|snapshots|refs}), so Python and ExprBERT share it.
 * One entry: {@link dev.exprbert.hub.ModelResolver#resolve(String)}.
 */
package dev.exprbert.hub;
