package dev.exprbert.optim;

import dev.exprbert.model.NamedParameter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Shared set-up for the optimizer parity tests: random parameters, seeded gradients, LibTorch's AdamW. */
final class AdamWFixtures {
  private AdamWFixtures() {}

  /** Shapes that cover matrices, vectors, odd sizes and a tensor larger than one CPU work chunk. */
  static final long[][] SHAPES = {{64, 32}, {32}, {17}, {3, 5, 7}, {70001}};
  /** Tensors 0..2 decay (like HF's weights), the rest do not (biases, LayerNorm). */
  static final int DECAYED = 3;
  static final double WEIGHT_DECAY = 0.01;
  static final double LR = 2e-3;

  static List<Tensor> randomParams(long seed, ScalarType type) {
    torch.manual_seed(seed);
    List<Tensor> params = new ArrayList<>();
    for (long[] shape : SHAPES) {
      try (Tensor r = torch.randn(shape)) {
        params.add(r.to(type).requires_grad_(true));
      }
    }
    return params;
  }

  static List<Tensor> cloneParams(List<Tensor> params, ScalarType type) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : params) {
      try (Tensor d = p.detach(); Tensor c = d.to(type)) {
        out.add(c.clone().requires_grad_(true));
      }
    }
    return out;
  }

  static List<ParamGroup> groups(List<Tensor> params) {
    List<NamedParameter> decayed = new ArrayList<>();
    List<NamedParameter> plain = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      (i < DECAYED ? decayed : plain).add(new NamedParameter("p" + i, params.get(i)));
    }
    return List.of(new ParamGroup(decayed, WEIGHT_DECAY), new ParamGroup(plain, 0.0));
  }

  /** Gradients of step {@code step}: normal(0, 1), positive and negative, the same for every caller. */
  static List<Tensor> gradsForStep(int step) {
    torch.manual_seed(1000 + step);
    List<Tensor> grads = new ArrayList<>();
    for (long[] shape : SHAPES) {
      grads.add(torch.randn(shape));
    }
    return grads;
  }

  /** Sets {@code p.grad = g} (converted to p's dtype). */
  static void setGrads(List<Tensor> params, List<Tensor> grads) {
    for (int i = 0; i < params.size(); i++) {
      Tensor p = params.get(i);
      // to() returns the same tensor when the dtype already matches: clone, so callers never share a grad.
      try (Tensor converted = grads.get(i).to(p.scalar_type()); Tensor g = converted.clone(); Tensor slot = p.mutable_grad()) {
        slot.put(g);
      }
    }
  }

  static AdamW libTorchAdamW(List<Tensor> params) {
    TensorVector decayed = new TensorVector();
    TensorVector plain = new TensorVector();
    for (int i = 0; i < params.size(); i++) {
      (i < DECAYED ? decayed : plain).push_back(params.get(i));
    }
    // OptimizerParamGroupVector has no push_back in the Java API: the second group goes in through add_param_group.
    AdamW adamw = new AdamW(decayed, options(WEIGHT_DECAY));
    adamw.add_param_group(new OptimizerParamGroup(plain, options(0.0)));
    return adamw;
  }

  private static AdamWOptions options(double weightDecay) {
    AdamWOptions options = new AdamWOptions(LR);
    // Betas stay at their defaults (0.9, 0.999), which are ours: betas() is a DoublePointer onto a
    // std::tuple<double, double>, and libstdc++ lays tuples out in reverse, so put(0, b1) would set beta2.
    options.eps().put(1e-8);
    options.weight_decay().put(weightDecay);
    options.amsgrad().put(false);
    return options;
  }

  /** clip_grad_norm_ composed from LibTorch ops: total = ||(||g_i||)||, coef = min(1, max / (total + 1e-6)). */
  static float clipGradNormWithLibTorch(List<Tensor> params, double maxNorm) {
    TensorVector norms = new TensorVector();
    for (Tensor p : params) {
      norms.push_back(p.grad().norm());
    }
    try (Tensor stacked = torch.stack(norms); Tensor total = stacked.norm();
        Tensor coef = total.add(new Scalar(1e-6)).reciprocal().mul(new Scalar(maxNorm)).clamp_max(new Scalar(1.0))) {
      for (Tensor p : params) {
        try (Tensor g = p.grad()) {
          g.mul_(coef);
        }
      }
      return total.item_float();
    }
  }

  static double maxAbsDiff(List<Tensor> a, List<Tensor> b) {
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      try (Tensor x = a.get(i).detach().to(ScalarType.Double); Tensor y = b.get(i).detach().to(ScalarType.Double);
          Tensor d = x.sub(y).abs().max()) {
        worst = Math.max(worst, d.item_double());
      }
    }
    return worst;
  }

  static void closeAll(List<Tensor> tensors) {
    tensors.forEach(Tensor::close);
  }
}
