package dev.exprbert.kernels;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Everything one fused AdamW step reads and writes (see kernels.h {@code exprbert_adamw_params}). Tensors are
 * borrowed; {@link Kernels#adamwStep} checks them all before the native call.
 *
 * @param params parameters updated in place: float32, or float16/bfloat16 with {@code master} given
 * @param master fp32 master weights, one per parameter; null (or empty) when the parameters are float32
 * @param grads gradients, one per parameter, same numel, all float32 or all bfloat16/float16
 * @param expAvg first moments, float32, one per parameter
 * @param expAvgSq second moments, float32, one per parameter
 * @param groupIndex per parameter, its index into the two group arrays
 * @param groupLrScale per group, the learning-rate multiplier
 * @param groupWeightDecay per group, decoupled weight decay (>= 0)
 * @param lr learning rate of this step
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps added to the bias-corrected root of the second moment, > 0
 * @param step int64 tensor of one element: updates applied so far; the kernel increments it
 * @param clipCoef optional float32 one-element gradient multiplier (from {@link Kernels#gradNorm}); may be null
 * @param foundInf optional float32 one-element flag: when non-zero nothing is updated; may be null
 */
public record AdamwStepArgs(
    List<Tensor> params,
    List<Tensor> master,
    List<Tensor> grads,
    List<Tensor> expAvg,
    List<Tensor> expAvgSq,
    int[] groupIndex,
    double[] groupLrScale,
    double[] groupWeightDecay,
    double lr,
    double beta1,
    double beta2,
    double eps,
    Tensor step,
    Tensor clipCoef,
    Tensor foundInf) {}
