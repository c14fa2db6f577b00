package dev.exprbert.runtime;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where model tensors live and in which floating type: {@code cpu} or {@code cuda:N}, float32,
 * bfloat16 or float16. Parsed from user strings, so a typo fails here with the accepted values.
 */
public record Placement(String device, Precision precision) {
  public static final Placement CPU_FLOAT32 = new Placement("cpu", Precision.FLOAT32);
  private static volatile Integer cudaDevices;

  /** Floating-point storage types a model may use. */
  public enum Precision {
    FLOAT32(ScalarType.Float),
    BFLOAT16(ScalarType.BFloat16),
    FLOAT16(ScalarType.Half);

    private final ScalarType scalarType;

    Precision(ScalarType scalarType) {
      this.scalarType = scalarType;
    }

    public ScalarType scalarType() {
      return scalarType;
    }

    public static Precision parse(String text) {
      switch (text.toLowerCase(java.util.Locale.ROOT)) {
        case "float32": case "fp32": case "f32": return FLOAT32;
        case "bfloat16": case "bf16": return BFLOAT16;
        case "float16": case "fp16": case "f16": case "half": return FLOAT16;
        default:
          throw new IllegalArgumentException("unknown precision '" + text + "': expected float32, bfloat16 or float16");
      }
    }
  }

  public Placement {
    if (!device.equals("cpu") && !device.matches("cuda(:\\d{1,3})?")) {
      throw new IllegalArgumentException("device '" + device + "' is unknown: expected cpu, cuda or cuda:N");
    }
  }

  public static Placement of(String device, String precision) {
    return new Placement(device, Precision.parse(precision));
  }

  public boolean isCuda() {
    return device.startsWith("cuda");
  }

  /** A new LibTorch Device; the caller closes it. A CUDA device must exist ({@link #requireAvailable}). */
  public Device torchDevice() {
    requireAvailable();
    return new Device(device);
  }

  /**
   * Checks that LibTorch can use this device, before anything is placed on it: on a machine without it LibTorch's own
   * error is kilobytes of dispatcher text. The message names the {@code --device} value and what exists.
   *
   * @throws IllegalArgumentException naming the device, the CUDA devices LibTorch sees, and what to pass instead
   */
  public void requireAvailable() {
    if (!isCuda()) {
      return;
    }
    int count = cudaDeviceCount();
    int index = device.contains(":") ? Integer.parseInt(device.substring(device.indexOf(':') + 1)) : 0;
    if (count == 0) {
      throw new IllegalArgumentException("--device " + device + ": this machine has no CUDA device LibTorch can use"
          + " (LibTorch sees 0: a CPU-only LibTorch build, or no NVIDIA driver); use --device cpu");
    }
    if (index >= count) {
      throw new IllegalArgumentException("--device " + device + ": LibTorch sees " + count + " CUDA device"
          + (count == 1 ? " (cuda:0)" : "s (cuda:0 to cuda:" + (count - 1) + ")") + "; use --device cuda:"
          + (count - 1) + " or lower, or --device cpu");
    }
  }

  /** How many CUDA devices LibTorch sees (0 with the CPU natives); asked once per process. */
  public static int cudaDeviceCount() {
    Integer count = cudaDevices;
    if (count == null) {
      Natives.init();
      count = torch.cuda_is_available() ? (int) torch.cuda_device_count() : 0;
      cudaDevices = count;
    }
    return count;
  }

  /** Options for floating tensors of this placement; the caller closes them. */
  public TensorOptions floatOptions() {
    return options(precision.scalarType());
  }

  /** Options for tensors of {@code type} on this device; the caller closes them. */
  public TensorOptions options(ScalarType type) {
    try (TensorOptions base = new TensorOptions(type);
        Device d = torchDevice();
        DeviceOptional od = new DeviceOptional(d)) {
      return base.device(od); // a copy: C++ returns TensorOptions by value
    }
  }

  /** Options for int64 index tensors (input ids, labels) on this device. */
  public TensorOptions longOptions() {
    return options(ScalarType.Long);
  }

  /** True when LibTorch sees at least one CUDA device (always false with the CPU natives). */
  public static boolean cudaAvailable() {
    Natives.init();
    return torch.cuda_is_available();
  }
}
