package dev.exprbert.train;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
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
 */
final class RngPart implements CheckpointPart {
  static final String FILE = "rng_state.safetensors";
  static final String KEY = "cpu_rng_state";
  static final String FUSED_ATTENTION_KEY = "fused_attention_dropout_offset";

  private final EncoderForTokenClassification model;

  RngPart(EncoderForTokenClassification model) {
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
      Tensor offset = rng.get(FUSED_ATTENTION_KEY);
      if (model.attention() instanceof FusedAttention fused && offset != null) {
        fused.restoreDropoutOffset(Tensors.toLongArray(offset)[0]);
      }
    } finally {
      rng.values().forEach(Tensor::close);
    }
  }
}
