package dev.exprbert.train;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The state of LibTorch's default CPU generator, which dropout draws from: a uint8 tensor
 * ({@code torch.get_rng_state()}; 5056 bytes of mt19937 state for LibTorch 2.10), saved with each
 * checkpoint so a resumed run drops the same units the uninterrupted run would.
 */
final class RngState {
  static final String KEY = "cpu_rng_state";

  private RngState() {}

  /** A copy of the current state; the caller owns it. */
  static Tensor capture() {
    try (Generator generator = torch.getDefaultCPUGenerator(); Tensor state = generator.get_state()) {
      return state.clone();
    }
  }

  static void restore(Tensor state) {
    if (state.scalar_type().value != torch.ScalarType.Byte.value || state.dim() != 1) {
      throw new IllegalArgumentException(KEY + " must be a 1-d uint8 tensor (torch.get_rng_state()), found dtype "
          + state.scalar_type().value + " with " + state.dim() + " dims");
    }
    try (Generator generator = torch.getDefaultCPUGenerator()) {
      generator.set_state(state);
    }
  }
}
