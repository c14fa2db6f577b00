package dev.exprbert.train;

import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.attention.FusedAttention;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code rng_state.safetensors}: the state of LibTorch's default CPU generator, which dropout draws from on the CPU (a
 * uint8 tensor, {@code torch.get_rng_state()}; 5056 bytes of mt19937 state for LibTorch 2.10), so a resumed run drops
 * the same units the uninterrupted run would. Where CUDA is available, the default generator of every CUDA device
 * too ({@code cuda_rng_state_<index>}, uint8: the Philox seed and offset, {@code torch.cuda.get_rng_state(i)}; Hugging
 * Face saves them as {@code cuda} in {@code rng_state.pth}), which dropout on the GPU draws from. With
 * {@code --attention fused} the attention-dropout masks come from the kernel's counter-based RNG instead, keyed by a
 * call counter in {@link FusedAttention}: that counter is saved beside them ({@link #FUSED_ATTENTION_KEY}, int64 [1]).
 *
 * <p>A checkpoint from a machine without CUDA has no CUDA key; a run on a GPU resuming from it keeps its generator as
 * seeded and says so (its dropout stream is then not the uninterrupted run's). CUDA keys on a machine without CUDA
 * are not restored (nothing draws from them there).
 *
 * <p>Each rank of a data-parallel run draws its own dropout masks, so each has its own state: as Hugging Face saves
 * {@code rng_state_<rank>.pth}, the checkpoint of an N-rank run holds {@code rng_state_<rank>.safetensors} for every
 * rank (gathered to rank 0, which writes them) and each rank restores its own.
 */
final class RngPart implements CheckpointPart {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RngPart.class);
  static final String FILE = "rng_state.safetensors";
  static final String KEY = "cpu_rng_state";
  static final String CUDA_KEY_PREFIX = "cuda_rng_state_";
  static final String FUSED_ATTENTION_KEY = "fused_attention_dropout_offset";

  private final EncoderForTokenClassification model;
  private final DistributedContext context;
  private long[][] gathered; // per rank, as gather() lays it out

  RngPart(EncoderForTokenClassification model, DistributedContext context) {
    this.model = model;
    this.context = context;
  }

  /** The file of {@code rank}'s state in a run of {@code worldSize} ranks. */
  static String fileOf(int rank, int worldSize) {
    return worldSize == 1 ? FILE : "rng_state_" + rank + ".safetensors";
  }

  @Override
  public String file() {
    return fileOf(0, context.worldSize());
  }

  /**
   * Every rank's generator states, gathered to every rank: per rank {@code [fused attention offset or -1, CUDA device
   * count, then per device its state's length and bytes, then the CPU state's bytes]}.
   */
  @Override
  public void gather() {
    List<long[]> parts = new ArrayList<>();
    int devices = cudaDevices();
    parts.add(new long[] {model.attention() instanceof FusedAttention fused ? fused.dropoutOffset() : -1, devices});
    for (int device = 0; device < devices; device++) {
      try (Generator cuda = cudaGenerator(device); Tensor state = cuda.get_state()) {
        long[] bytes = Tensors.toLongArray(state);
        parts.add(new long[] {bytes.length});
        parts.add(bytes);
      }
    }
    try (Generator generator = torch.getDefaultCPUGenerator(); Tensor state = generator.get_state()) {
      parts.add(Tensors.toLongArray(state));
    }
    long[] mine = new long[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (long[] part : parts) {
      System.arraycopy(part, 0, mine, at, part.length);
      at += part.length;
    }
    gathered = context.allGather(mine, "the gathering of every rank's RNG state");
  }

  /** A uint8 tensor of {@code length} byte values stored as longs in {@code values} from {@code from}. */
  private static Tensor bytesOf(long[] values, int from, int length) {
    try (Tensor longs = Tensors.longs(java.util.Arrays.copyOfRange(values, from, from + length), length)) {
      return longs.to(torch.ScalarType.Byte);
    }
  }

  @Override
  public void save(Path folder) throws IOException {
    for (int r = 0; r < gathered.length; r++) {
      long[] rank = gathered[r];
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      try {
        int at = 2;
        for (int device = 0; device < rank[1]; device++) {
          int length = (int) rank[at++];
          tensors.put(CUDA_KEY_PREFIX + device, bytesOf(rank, at, length));
          at += length;
        }
        tensors.put(KEY, bytesOf(rank, at, rank.length - at));
        if (rank[0] >= 0) {
          tensors.put(FUSED_ATTENTION_KEY, Tensors.longs(new long[] {rank[0]}, 1));
        }
        Safetensors.write(folder.resolve(fileOf(r, gathered.length)), tensors, Map.of("format", "pt"));
      } finally {
        tensors.values().forEach(Tensor::close);
      }
    }
  }

  /**
   * A checkpoint without the fused attention's counter (written before the counter was saved, or by a run with
   * another backend) can resume a fused run only when no attention dropout needs the counter; otherwise restarting
   * it at 0 would replay the first steps' masks, so this refuses rather than resume inexactly.
   */
  @Override
  public void check(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(fileOf(context.rank(), context.worldSize()));
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException("cannot resume from " + checkpoint + ": it has no " + file.getFileName()
          + " (the RNG state of rank " + context.rank() + "), so it was saved by a run with another world size;"
          + " resume with the same world size");
    }
    Map<String, Tensor> rng = Safetensors.read(file);
    try {
      Tensor state = rng.get(KEY);
      if (state == null) {
        throw new IllegalArgumentException(file + " has no tensor '" + KEY + "'");
      }
      if (state.scalar_type().value != torch.ScalarType.Byte.value || state.dim() != 1) {
        throw new IllegalArgumentException(KEY + " must be a 1-d uint8 tensor (torch.get_rng_state()), found dtype "
            + state.scalar_type().value + " with " + state.dim() + " dims");
      }
      for (Map.Entry<String, Tensor> entry : rng.entrySet()) {
        if (entry.getKey().startsWith(CUDA_KEY_PREFIX)) {
          requireCudaKey(checkpoint, entry.getKey(), entry.getValue());
        }
      }
      Tensor offset = rng.get(FUSED_ATTENTION_KEY);
      double attentionDropout = model.config().attentionProbsDropoutProb();
      if (model.attention() instanceof FusedAttention && offset == null && attentionDropout > 0) {
        throw new UnsupportedOperationException(file + " holds no '" + FUSED_ATTENTION_KEY + "' (the"
            + " fused attention's dropout counter), so a run with attn_implementation fused and attention dropout "
            + attentionDropout + " cannot resume from it exactly; resume with the backend it was trained with");
      }
      if (offset != null && (offset.dim() != 1 || offset.size(0) != 1
          || offset.scalar_type().value != torch.ScalarType.Long.value)) {
        throw new IllegalArgumentException(file + ": '" + FUSED_ATTENTION_KEY + "' must be an int64"
            + " tensor of shape [1], found shape " + Tensors.shapeString(offset));
      }
    } finally {
      rng.values().forEach(Tensor::close);
    }
  }

  @Override
  public void restore(Path checkpoint) throws IOException {
    Map<String, Tensor> rng = Safetensors.read(checkpoint.resolve(fileOf(context.rank(), context.worldSize())));
    try (Generator generator = torch.getDefaultCPUGenerator()) {
      generator.set_state(rng.get(KEY));
      restoreCuda(checkpoint, rng);
      Tensor offset = rng.get(FUSED_ATTENTION_KEY);
      if (model.attention() instanceof FusedAttention fused && offset != null) {
        fused.restoreDropoutOffset(Tensors.toLongArray(offset)[0]);
      }
    } finally {
      rng.values().forEach(Tensor::close);
    }
  }

  /** The CUDA devices whose generators a checkpoint holds: every visible one, none without CUDA. */
  private static int cudaDevices() {
    return Placement.cudaAvailable() ? torch.cuda_device_count() : 0;
  }

  /** The default generator of CUDA device {@code index} (what dropout on that device draws from). */
  private static Generator cudaGenerator(int index) {
    Context context = torch.globalContext(); // a reference to LibTorch's one context: not ours to free
    try (Device device = new Device("cuda:" + index)) {
      return context.defaultGenerator(device);
    }
  }

  private static void requireCudaKey(Path checkpoint, String key, Tensor state) {
    String index = key.substring(CUDA_KEY_PREFIX.length());
    if (!index.matches("\\d{1,4}") || state.scalar_type().value != torch.ScalarType.Byte.value || state.dim() != 1) {
      throw new IllegalArgumentException(checkpoint.resolve(FILE) + ": '" + key + "' must be named "
          + CUDA_KEY_PREFIX + "<device index> and be a 1-d uint8 tensor (torch.cuda.get_rng_state()), found dtype "
          + state.scalar_type().value + " with " + state.dim() + " dims");
    }
  }

  private static void restoreCuda(Path checkpoint, Map<String, Tensor> rng) {
    int devices = cudaDevices();
    int restored = 0;
    for (Map.Entry<String, Tensor> entry : rng.entrySet()) {
      if (!entry.getKey().startsWith(CUDA_KEY_PREFIX)) {
        continue;
      }
      int index = Integer.parseInt(entry.getKey().substring(CUDA_KEY_PREFIX.length()));
      if (index < devices) {
        try (Generator cuda = cudaGenerator(index)) {
          cuda.set_state(entry.getValue());
        }
        restored++;
      }
    }
    if (devices > 0 && restored < devices) {
      LOG.warn("{} holds the generator state of {} of this machine's {} CUDA device(s); the others keep their seeded"
          + " state, so dropout on them does not continue the saved run's stream", checkpoint.resolve(FILE), restored,
          devices);
    }
  }
}
