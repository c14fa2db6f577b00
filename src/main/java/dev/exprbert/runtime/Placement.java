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
    if (!device.equals("cpu") && !device.matches("cuda(:\\d+)?")) {
      throw new IllegalArgumentException("unknown device '" + device + "': expected cpu, cuda or cuda:N");
    }
  }

  public static Placement of(String device, String precision) {
    return new Placement(device, Precision.parse(precision));
  }

  public boolean isCuda() {
    return device.startsWith("cuda");
  }

  /** A new LibTorch Device; the caller closes it. */
  public Device torchDevice() {
    return new Device(device);
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
