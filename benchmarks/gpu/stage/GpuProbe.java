import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * Runs an application's main class unchanged and measures from the outside what the GPU checks need and the
 * application does not report (lab code for benchmarks/gpu; the product is driven only through its CLI):
 * <ul>
 *   <li>{@code -Dgpuprobe.report=FILE}: at exit, the CUDA caching allocator's peak reserved and allocated bytes
 *       on device 0, the same counters {@code torch.cuda.max_memory_reserved()} reads in Python, as JSON;
 *   <li>{@code -Dgpuprobe.syncDebug=true}: LibTorch's sync debug mode ({@code torch.cuda.set_sync_debug_mode("warn")}),
 *       which prints "called a synchronizing CUDA operation" for every host synchronisation LibTorch makes
 *       (item(), D2H copies, stream syncs). A calibration sync between two marker lines proves that the warnings
 *       reach stderr, so zero warnings in a window means zero syncs, not a swallowed warning.
 * </ul>
 * Usage: java -cp probe:app:... GpuProbe MAIN_CLASS ARGS...
 */
public final class GpuProbe {
  static final String CALIBRATION_BEGIN = "GPUPROBE calibration begin";
  static final String CALIBRATION_END = "GPUPROBE calibration end";

  private GpuProbe() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 1) {
      System.err.println("usage: GpuProbe MAIN_CLASS ARGS...");
      System.exit(2);
    }
    String report = System.getProperty("gpuprobe.report");
    if (report != null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> writeReport(Path.of(report))));
    }
    if (Boolean.getBoolean("gpuprobe.syncDebug")) {
      torch_cuda.warning_state().set_sync_debug_mode(1); // SyncDebugMode::L_WARN
      System.err.println(CALIBRATION_BEGIN);
      try (Device device = new Device("cuda:0"); DeviceOptional od = new DeviceOptional(device);
          TensorOptions base = new TensorOptions(torch.ScalarType.Float); TensorOptions options = base.device(od);
          Tensor one = torch.ones(new long[] {1}, options)) {
        System.err.println("GPUPROBE calibration value " + one.item_float()); // item(): one device-to-host sync
      }
      System.err.println(CALIBRATION_END);
    }
    try {
      Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void writeReport(Path file) {
    String json;
    try {
      DeviceStats stats = torch_cuda.getAllocator().getDeviceStats((byte) 0);
      json = String.format("{\"peak_reserved_bytes\": %d, \"peak_allocated_bytes\": %d, \"num_ooms\": %d, "
          + "\"num_alloc_retries\": %d}%n", stats.reserved_bytes().peak(), stats.allocated_bytes().peak(),
          stats.num_ooms(), stats.num_alloc_retries());
    } catch (RuntimeException | LinkageError e) {
      json = "{\"error\": \"" + e.toString().replace("\\", "\\\\").replace("\"", "'").replace("\n", " ") + "\"}\n";
    }
    try {
      Files.writeString(file, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("GpuProbe: cannot write " + file + ": " + e);
    }
  }
}
