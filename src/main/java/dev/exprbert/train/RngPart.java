package dev.exprbert.train;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.attention.FusedAttention;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.exprbert.runtime.Placement;
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
 */
final class RngPart implements CheckpointPart {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RngPart.class);
  static final String FILE = "rng_state.safetensors";
  static final String KEY = "cpu_rng_state";
  static final String CUDA_KEY_PREFIX = "cuda_rng_state_";
  static final String FUSED_ATTENTION_KEY = "fused_attention_dropout_offset";

  private final BertForTokenClassification model;

  RngPart(BertForTokenClassification model) {
    this.model = model;
  }

  @Override
  public String file() {
    return FILE;
  }

  @Override
  public void save(Path folder) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try (Generator generator = torch.getDefaultCPUGenerator(); Tensor state = generator.get_state()) {
      tensors.put(KEY, state.clone());
      for (int device = 0; device < cudaDevices(); device++) {
        try (Generator cuda = cudaGenerator(device); Tensor cudaState = cuda.get_state()) {
          tensors.put(CUDA_KEY_PREFIX + device, cudaState.clone());
        }
      }
      if (model.attention() instanceof FusedAttention fused) {
        tensors.put(FUSED_ATTENTION_KEY, Tensors.longs(new long[] {fused.dropoutOffset()}, 1));
      }
      Safetensors.write(folder.resolve(FILE), tensors, Map.of("format", "pt"));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /**
   * A checkpoint without the fused attention's counter (written before the counter was saved, or by a run with
   * another backend) can resume a fused run only when no attention dropout needs the counter; otherwise restarting
   * it at 0 would replay the first steps' masks, so this refuses rather than resume inexactly.
   */
  @Override
  public void check(Path checkpoint) throws IOException {
    Map<String, Tensor> rng = Safetensors.read(checkpoint.resolve(FILE));
    try {
      Tensor state = rng.get(KEY);
      if (state == null) {
        throw new IllegalArgumentException(checkpoint.resolve(FILE) + " has no tensor '" + KEY + "'");
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
        throw new UnsupportedOperationException(checkpoint.resolve(FILE) + " holds no '" + FUSED_ATTENTION_KEY + "' (the"
            + " fused attention's dropout counter), so a run with attn_implementation fused and attention dropout "
            + attentionDropout + " cannot resume from it exactly; resume with the backend it was trained with");
      }
      if (offset != null && (offset.dim() != 1 || offset.size(0) != 1
          || offset.scalar_type().value != torch.ScalarType.Long.value)) {
        throw new IllegalArgumentException(checkpoint.resolve(FILE) + ": '" + FUSED_ATTENTION_KEY + "' must be an int64"
            + " tensor of shape [1], found shape " + Tensors.shapeString(offset));
      }
    } finally {
      rng.values().forEach(Tensor::close);
    }
  }

  @Override
  public void restore(Path checkpoint) throws IOException {
    Map<String, Tensor> rng = Safetensors.read(checkpoint.resolve(FILE));
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
