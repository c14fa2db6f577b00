package dev.exprbert.runtime;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LibTorch's own autocast ({@code torch.autocast(device_type, dtype)}) for the device of a {@link Placement}: inside
 * a {@link #enter() scope}, the dispatcher runs matrix products (linear, matmul, scaled_dot_product_attention) in the
 * lower precision and keeps the ops on its fp32 list (on CUDA: layer_norm, softmax, the losses) in float32, while
 * the parameters stay float32 (Hugging Face's {@code bf16=True} / {@code fp16=True}: fp32 master weights, autocast
 * forward). Ops off both lists (GELU, dropout, adds) run in their inputs' type, with type promotion: on the CPU,
 * where layer_norm is on no list, a residual add of a bf16 projection and the float32 stream is float32, so every
 * LayerNorm of a BERT layer still runs in float32.
 *
 * <p>The state is thread-local, as in PyTorch: a scope affects the thread that entered it. A scope restores the
 * previous state when closed and, as {@code torch.autocast.__exit__} does, empties autocast's cache of cast weights
 * when the outermost scope closes (the optimizer changes the weights between forward passes). Backward passes run
 * outside the scope; autograd takes every op back through the type its forward used.
 */
public final class Autocast {
  /** No autocast: {@link #enter()} changes nothing. */
  public static final Autocast OFF = new Autocast(null, null);

  private final DeviceType deviceType;
  private final Placement.Precision precision;

  private Autocast(DeviceType deviceType, Placement.Precision precision) {
    this.deviceType = deviceType;
    this.precision = precision;
  }

  /**
   * Autocast to {@code precision} (bfloat16 or float16) on {@code placement}'s device type; {@link #OFF} for
   * float32.
   */
  public static Autocast of(Placement placement, Placement.Precision precision) {
    if (precision == Placement.Precision.FLOAT32) {
      return OFF;
    }
    Natives.init();
    return new Autocast(placement.isCuda() ? DeviceType.CUDA : DeviceType.CPU, precision);
  }

  public boolean isOn() {
    return deviceType != null;
  }

  /** The lower precision of this autocast, or float32 when it is off. */
  public Placement.Precision precision() {
    return isOn() ? precision : Placement.Precision.FLOAT32;
  }

  /** Turns autocast on for this thread until the returned scope is closed (a no-op scope when off). */
  public Scope enter() {
    if (!isOn()) {
      return Scope.NONE;
    }
    boolean wasEnabled = torch.is_autocast_enabled(deviceType);
    ScalarType previousType = torch.get_autocast_dtype(deviceType);
    torch.set_autocast_dtype(deviceType, precision.scalarType());
    torch.set_autocast_enabled(deviceType, true);
    torch.increment_nesting();
    return new Scope(deviceType, wasEnabled, previousType);
  }

  /**
   * The type autocast casts lower-precision ops to on {@code t}'s device type on this thread, or null when autocast
   * is off there: for custom ops that autocast's dispatcher never sees (our fused attention), so they follow the
   * policy of the LibTorch op they stand for ({@code scaled_dot_product_attention}: lower precision).
   */
  public static ScalarType activeType(Tensor t) {
    DeviceType type = t.is_cuda() ? DeviceType.CUDA : DeviceType.CPU;
    return torch.is_autocast_enabled(type) ? torch.get_autocast_dtype(type) : null;
  }

  @Override
  public String toString() {
    return isOn() ? "autocast " + precision.name().toLowerCase(java.util.Locale.ROOT) + " on " + deviceType : "autocast off";
  }

  /** An entered autocast; closing it restores what was there before. Not thread-safe: close it on its thread. */
  public static final class Scope implements AutoCloseable {
    static final Scope NONE = new Scope(null, false, null);

    private final DeviceType deviceType;
    private final boolean wasEnabled;
    private final ScalarType previousType;
    private boolean closed;

    private Scope(DeviceType deviceType, boolean wasEnabled, ScalarType previousType) {
      this.deviceType = deviceType;
      this.wasEnabled = wasEnabled;
      this.previousType = previousType;
    }

    @Override
    public void close() {
      if (deviceType == null || closed) {
        return;
      }
      closed = true;
      torch.set_autocast_enabled(deviceType, wasEnabled);
      torch.set_autocast_dtype(deviceType, previousType);
      if (torch.decrement_nesting() == 0) {
        torch.clear_cache();
      }
    }
  }
}
