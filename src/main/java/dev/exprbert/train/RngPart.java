package dev.exprbert.train;

import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.attention.FusedAttention;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code rng_state.safetensors}: the state of LibTorch's default CPU generator, which dropout draws from (a uint8
 * tensor, {@code torch.get_rng_state()}; 5056 bytes of mt19937 state for LibTorch 2.10), so a resumed run drops
 * the same units the uninterrupted run would. With {@code --attention fused} the attention-dropout masks come from
 * the kernel's counter-based RNG instead, keyed by a call counter in {@link FusedAttention}: that counter is saved
 * beside it ({@link #FUSED_ATTENTION_KEY}, int64 [1]).
 *
 * <p>Each rank of a data-parallel run draws its own dropout masks, so each has its own state: as Hugging Face saves
 * {@code rng_state_<rank>.pth}, the checkpoint of an N-rank run holds {@code rng_state_<rank>.safetensors} for every
 * rank (gathered to rank 0, which writes them) and each rank restores its own.
 */
final class RngPart implements CheckpointPart {
  static final String FILE = "rng_state.safetensors";
  static final String KEY = "cpu_rng_state";
  static final String FUSED_ATTENTION_KEY = "fused_attention_dropout_offset";

  private final BertForTokenClassification model;
  private final DistributedContext context;
  private long[][] gathered; // per rank: the fused attention's offset (or -1), then the generator state's bytes

  RngPart(BertForTokenClassification model, DistributedContext context) {
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

  @Override
  public void gather() {
    try (Generator generator = torch.getDefaultCPUGenerator(); Tensor state = generator.get_state()) {
      long[] bytes = Tensors.toLongArray(state);
      long[] mine = new long[bytes.length + 1];
      mine[0] = model.attention() instanceof FusedAttention fused ? fused.dropoutOffset() : -1;
      System.arraycopy(bytes, 0, mine, 1, bytes.length);
      gathered = context.allGather(mine, "the gathering of every rank's RNG state");
    }
  }

  @Override
  public void save(Path folder) throws IOException {
    for (int r = 0; r < gathered.length; r++) {
      long[] rank = gathered[r];
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      try (Tensor bytes = Tensors.longs(java.util.Arrays.copyOfRange(rank, 1, rank.length), rank.length - 1)) {
        tensors.put(KEY, bytes.to(torch.ScalarType.Byte));
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
      Tensor offset = rng.get(FUSED_ATTENTION_KEY);
      if (model.attention() instanceof FusedAttention fused && offset != null) {
        fused.restoreDropoutOffset(Tensors.toLongArray(offset)[0]);
      }
    } finally {
      rng.values().forEach(Tensor::close);
    }
  }
}
