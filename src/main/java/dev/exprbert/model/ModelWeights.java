package dev.exprbert.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The named parameter tensors of a model, in {@link ParameterSpec} order. This object owns them:
 * {@link #close()} frees every tensor. Modules borrow references and never close them.
 */
public final class ModelWeights implements AutoCloseable {
  private final LinkedHashMap<String, Tensor> tensors;
  private final List<AutoCloseable> companions = new ArrayList<>();
  private boolean closed;

  /** Takes ownership of {@code tensors}. */
  ModelWeights(LinkedHashMap<String, Tensor> tensors) {
    this.tensors = tensors;
  }

  /**
   * Native state that lives as long as these weights (a module's gradient buffer), closed with them, before the
   * tensors.
   */
  public void closeWith(AutoCloseable companion) {
    ensureOpen();
    companions.add(companion);
  }

  public Tensor get(String key) {
    ensureOpen();
    Tensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("no parameter named '" + key + "'; known: " + tensors.keySet());
    }
    return t;
  }

  /** Read-only view in checkpoint order. */
  public Map<String, Tensor> asMap() {
    ensureOpen();
    return Collections.unmodifiableMap(tensors);
  }

  public List<NamedParameter> parameters() {
    ensureOpen();
    List<NamedParameter> out = new ArrayList<>(tensors.size());
    tensors.forEach((k, v) -> out.add(new NamedParameter(k, v)));
    return out;
  }

  public long parameterCount() {
    long n = 0;
    for (Tensor t : asMap().values()) {
      n += t.numel();
    }
    return n;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the model's weights were already closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable c : companions) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + c + " failed", e);
      }
    }
    companions.clear();
    for (Tensor t : tensors.values()) {
      t.close();
    }
    tensors.clear();
  }
}
