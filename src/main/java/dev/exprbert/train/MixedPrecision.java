package dev.exprbert.train;

import dev.exprbert.optim.GradientCheck;
import dev.exprbert.runtime.Autocast;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.PrecisionSupport;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * How a {@link TrainingStep} treats precision and non-finite gradients (the mixed-precision seam of [note: step
 * seams]): the autocast its forward passes run under ({@code bf16} / {@code fp16}, Hugging Face's semantics: fp32
 * weights, fp32 optimizer, autocast forward), the fp16 {@link LossScaler}, and the {@link GradientCheck} handed to the
 * optimizer, whose found-inf flag ({@link #foundInf()}) tells the {@link NonFiniteGuard} and the scaler what the step
 * saw. Nothing here reads the device. Owns its tensors.
 */
public final class MixedPrecision implements AutoCloseable {
  private final Autocast autocast;
  private final LossScaler scaler;   // fp16 only
  private final Tensor foundInf;     // float32 [] on the device, written by every checked step; null when unchecked
  private final GradientCheck check; // null when unchecked

  private MixedPrecision(Autocast autocast, LossScaler scaler, Tensor foundInf, boolean skipNonFinite) {
    this.autocast = autocast;
    this.scaler = scaler;
    this.foundInf = foundInf;
    this.check = foundInf == null ? null : new GradientCheck(scaler == null ? null : scaler.invScale(), foundInf,
        skipNonFinite);
  }

  /** Float32, no gradient check: the optimizer step as it was before any of this ({@code TrainingStep}'s default). */
  static MixedPrecision unchecked() {
    return new MixedPrecision(Autocast.OFF, null, null, false);
  }

  /**
   * Training in {@code precision} on {@code placement} (float32: no autocast; bfloat16; float16 with loss scaling),
   * refused in one line naming {@code flag} when the device cannot ({@link PrecisionSupport}). Every step is checked
   * for non-finite gradients; {@code skipNonFinite} asks even LibTorch's AdamW to skip such a step (the fused AdamW
   * always does), which fp16 always needs.
   */
  public static MixedPrecision of(Placement placement, Placement.Precision precision, boolean skipNonFinite, String flag) {
    PrecisionSupport.requireTraining(placement, precision, flag);
    if (precision == Placement.Precision.FLOAT16) {
      return fp16(placement, new LossScaler(placement));
    }
    return new MixedPrecision(Autocast.of(placement, precision), null, flag(placement), skipNonFinite);
  }

  /** fp16 autocast with {@code scaler} (taken over: closed with this); every non-finite step is skipped. */
  static MixedPrecision fp16(Placement placement, LossScaler scaler) {
    return new MixedPrecision(Autocast.of(placement, Placement.Precision.FLOAT16), scaler, flag(placement), true);
  }

  private static Tensor flag(Placement placement) {
    try (TensorOptions floats = placement.options(ScalarType.Float)) {
      return torch.zeros(new long[] {}, floats);
    }
  }

  /** For a run: the precision of {@code bf16} / {@code fp16}; a skip wherever {@code nan_policy} is skip_step. */
  static MixedPrecision of(TrainingConfig config, Placement placement) {
    String flag = config.bf16() ? "--bf16" : config.fp16() ? "--fp16" : "float32";
    return of(placement, config.mixedPrecision(), config.nanPolicy() == NanPolicy.SKIP_STEP, flag);
  }

  /** The autocast of the forward pass (and of evaluation, as Hugging Face evaluates under it too). */
  public Autocast autocast() {
    return autocast;
  }

  /** The tensor to run the backward pass from: {@code loss}, times the loss scale under fp16. The caller owns it. */
  Tensor lossForBackward(Tensor loss) {
    return scaler == null ? loss.alias() : scaler.scale(loss);
  }

  /** What the optimizer step unscales and checks; null when unchecked. */
  GradientCheck check() {
    return check;
  }

  /** After the optimizer step: the loss scaler's update from the step's found-inf flag (on the device). */
  void afterStep() {
    if (scaler != null) {
      scaler.update(foundInf);
    }
  }

  /** The last step's found-inf flag (0-dim float32 on the device), or null when unchecked; borrowed. */
  Tensor foundInf() {
    return foundInf;
  }

  /** The fp16 loss scaler, or null. */
  LossScaler scaler() {
    return scaler;
  }

  /**
   * Whether an overflowing gradient is a fault the {@link NonFiniteGuard} reports: not under fp16, where overflow is
   * the loss scaler's business (it skips the step and backs off) and only a non-finite loss is.
   */
  boolean gradientOverflowIsFault() {
    return scaler == null;
  }

  /** The checkpoint part of the state a resumed run needs: the loss scaler's, under fp16. */
  List<CheckpointPart> checkpointParts() {
    return scaler == null ? List.of() : List.of(scaler.part());
  }

  @Override
  public String toString() {
    return autocast + (scaler != null ? ", dynamic loss scaling" : "");
  }

  @Override
  public void close() {
    if (scaler != null) {
      scaler.close();
    }
    if (foundInf != null) {
      foundInf.close();
    }
  }
}
