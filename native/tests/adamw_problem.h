// Host-side AdamW problems for the tests: tensors of given sizes in a given dtype combination, random
// parameters and positive/negative gradients, the pointer arrays the C ABI wants, and the double reference.
#pragma once

#include <cstring>
#include <vector>

#include "../src/common/dtype.h"
#include "exprbert/kernels.h"
#include "naive_reference.h"
#include "test_support.h"

namespace exprbert_test {

inline size_t dtype_bytes(int32_t dtype) { return dtype == EXPRBERT_DTYPE_F32 ? 4 : 2; }

// Stores float x rounded to `dtype` at element i of `bytes`.
inline void store_as(std::vector<uint8_t>& bytes, int32_t dtype, size_t i, float x) {
  if (dtype == EXPRBERT_DTYPE_F32) {
    std::memcpy(bytes.data() + 4 * i, &x, 4);
  } else if (dtype == EXPRBERT_DTYPE_BF16) {
    const auto v = exprbert::from_float<exprbert::BFloat16>(x);
    std::memcpy(bytes.data() + 2 * i, &v.bits, 2);
  } else {
    const auto v = exprbert::from_float<exprbert::Half>(x);
    std::memcpy(bytes.data() + 2 * i, &v.bits, 2);
  }
}

inline float load_as(const std::vector<uint8_t>& bytes, int32_t dtype, size_t i) {
  if (dtype == EXPRBERT_DTYPE_F32) {
    float x;
    std::memcpy(&x, bytes.data() + 4 * i, 4);
    return x;
  }
  uint16_t bits;
  std::memcpy(&bits, bytes.data() + 2 * i, 2);
  return dtype == EXPRBERT_DTYPE_BF16 ? exprbert::to_float(exprbert::BFloat16{bits}) : exprbert::to_float(exprbert::Half{bits});
}

struct AdamwProblem {
  int32_t param_dtype = EXPRBERT_DTYPE_F32;
  int32_t grad_dtype = EXPRBERT_DTYPE_F32;
  size_t offset = 0;  // leading padding elements, so offset 1 makes every pointer unaligned
  std::vector<int64_t> numels;
  std::vector<int32_t> group_index;
  std::vector<double> lr_scale{1.0, 0.5};
  std::vector<double> weight_decay{0.01, 0.0};
  std::vector<std::vector<uint8_t>> params, grads;
  std::vector<std::vector<float>> master, exp_avg, exp_avg_sq;
  int64_t step = 0;
  ReferenceHyper hyper{1e-2, 0.9, 0.999, 1e-8};
  std::vector<ReferenceTensor> reference;

  bool has_master() const { return param_dtype != EXPRBERT_DTYPE_F32; }
  size_t n(size_t t) const { return static_cast<size_t>(numels[t]); }

  // Writes fresh gradients (seeded by `seed`), normal(0, scale): positive and negative values.
  void set_grads(uint32_t seed, float scale = 1.0f) {
    for (size_t t = 0; t < numels.size(); ++t) {
      const auto values = random_normal(n(t), seed + static_cast<uint32_t>(t) * 7919u, scale);
      for (size_t i = 0; i < n(t); ++i) store_as(grads[t], grad_dtype, offset + i, values[i]);
    }
  }

  std::vector<double> widened_grad(size_t t) const {
    std::vector<double> out(n(t));
    for (size_t i = 0; i < n(t); ++i) out[i] = load_as(grads[t], grad_dtype, offset + i);
    return out;
  }

  // The fp32 weights the optimizer works on (master when there is one).
  std::vector<float> weights(size_t t) const {
    if (has_master()) return std::vector<float>(master[t].begin() + offset, master[t].end());
    std::vector<float> out(n(t));
    for (size_t i = 0; i < n(t); ++i) out[i] = load_as(params[t], param_dtype, offset + i);
    return out;
  }

  void reference_step(double clip) {
    ++step;
    for (size_t t = 0; t < numels.size(); ++t) {
      reference_adamw_step(reference[t], widened_grad(t), clip, hyper, lr_scale[group_index[t]],
                           weight_decay[group_index[t]], step);
    }
  }
};

inline AdamwProblem make_problem(const std::vector<int64_t>& sizes, int32_t param_dtype, int32_t grad_dtype,
                                 uint32_t seed, size_t offset = 0) {
  AdamwProblem p;
  p.param_dtype = param_dtype;
  p.grad_dtype = grad_dtype;
  p.offset = offset;
  p.numels = sizes;
  for (size_t t = 0; t < sizes.size(); ++t) {
    const size_t n = static_cast<size_t>(sizes[t]) + offset;
    p.group_index.push_back(static_cast<int32_t>(t % 2));
    p.params.emplace_back(n * dtype_bytes(param_dtype), 0);
    p.grads.emplace_back(n * dtype_bytes(grad_dtype), 0);
    p.exp_avg.emplace_back(n, 0.0f);
    p.exp_avg_sq.emplace_back(n, 0.0f);
    p.master.emplace_back(p.has_master() ? n : 0, 0.0f);
    const auto init = random_uniform(static_cast<size_t>(sizes[t]), seed + static_cast<uint32_t>(t), -1.0f, 1.0f);
    ReferenceTensor ref;
    for (size_t i = 0; i < init.size(); ++i) {
      store_as(p.params[t], param_dtype, offset + i, init[i]);
      const float stored = load_as(p.params[t], param_dtype, offset + i);
      if (p.has_master()) p.master[t][offset + i] = stored;
      ref.weight.push_back(stored);
    }
    ref.exp_avg.assign(init.size(), 0.0);
    ref.exp_avg_sq.assign(init.size(), 0.0);
    p.reference.push_back(std::move(ref));
  }
  return p;
}

// The pointer arrays for one call (host memory), pointing `offset` elements into each buffer.
struct AdamwPointers {
  std::vector<void*> params;
  std::vector<float*> master;
  std::vector<const void*> grads;
  std::vector<float*> exp_avg, exp_avg_sq;
};

inline AdamwPointers host_pointers(AdamwProblem& p) {
  AdamwPointers ptrs;
  for (size_t t = 0; t < p.numels.size(); ++t) {
    ptrs.params.push_back(p.params[t].data() + p.offset * dtype_bytes(p.param_dtype));
    ptrs.master.push_back(p.has_master() ? p.master[t].data() + p.offset : nullptr);
    ptrs.grads.push_back(p.grads[t].data() + p.offset * dtype_bytes(p.grad_dtype));
    ptrs.exp_avg.push_back(p.exp_avg[t].data() + p.offset);
    ptrs.exp_avg_sq.push_back(p.exp_avg_sq[t].data() + p.offset);
  }
  return ptrs;
}

// Zero-initialise with the library's initialiser, then fill in one place.
inline exprbert_adamw_params adamw_params(AdamwProblem& p, AdamwPointers& ptrs, int64_t* step, int32_t device) {
  exprbert_adamw_params a;
  exprbert_adamw_params_init(&a);
  a.num_tensors = static_cast<int64_t>(p.numels.size());
  a.params = ptrs.params.data();
  a.master = p.has_master() ? ptrs.master.data() : nullptr;
  a.grads = ptrs.grads.data();
  a.exp_avg = ptrs.exp_avg.data();
  a.exp_avg_sq = ptrs.exp_avg_sq.data();
  a.numels = p.numels.data();
  a.group_index = p.group_index.data();
  a.num_groups = static_cast<int32_t>(p.lr_scale.size());
  a.group_lr_scale = p.lr_scale.data();
  a.group_weight_decay = p.weight_decay.data();
  a.param_dtype = p.param_dtype;
  a.grad_dtype = p.grad_dtype;
  a.lr = p.hyper.lr;
  a.beta1 = p.hyper.beta1;
  a.beta2 = p.hyper.beta2;
  a.eps = p.hyper.eps;
  a.step = step;
  a.device = device;
  return a;
}

inline exprbert_grad_norm_params grad_norm_params(AdamwProblem& p, AdamwPointers& ptrs, float* out, int32_t device) {
  exprbert_grad_norm_params g;
  exprbert_grad_norm_params_init(&g);
  g.num_tensors = static_cast<int64_t>(p.numels.size());
  g.grads = ptrs.grads.data();
  g.numels = p.numels.data();
  g.grad_dtype = p.grad_dtype;
  g.total_norm = out;
  g.device = device;
  return g;
}

// Checks the optimizer state against the double reference; tolerances: a few float roundings per step.
inline bool matches_reference(const char* label, const AdamwProblem& p) {
  bool ok = true;
  for (size_t t = 0; t < p.numels.size(); ++t) {
    const auto w = p.weights(t);
    const std::string name = std::string(label) + " tensor " + std::to_string(t);
    // weight: |w| <= ~1.1 and each step adds a few roundings of 2^-24 relative.
    ok &= all_close((name + " weight").c_str(), w.data(), p.reference[t].weight.data(), w.size(), 2e-6, 1e-5);
    ok &= all_close((name + " exp_avg").c_str(), p.exp_avg[t].data() + p.offset, p.reference[t].exp_avg.data(),
                    w.size(), 1e-7, 1e-5);
    ok &= all_close((name + " exp_avg_sq").c_str(), p.exp_avg_sq[t].data() + p.offset,
                    p.reference[t].exp_avg_sq.data(), w.size(), 1e-10, 1e-5);
    if (p.has_master()) {  // the stored parameter is the master weight rounded once
      for (size_t i = 0; i < w.size(); ++i) {
        float expected = p.param_dtype == EXPRBERT_DTYPE_BF16
                             ? exprbert::to_float(exprbert::from_float<exprbert::BFloat16>(w[i]))
                             : exprbert::to_float(exprbert::from_float<exprbert::Half>(w[i]));
        if (load_as(p.params[t], p.param_dtype, p.offset + i) != expected) {
          std::fprintf(stderr, "  %s param[%zu] is not the rounded master weight\n", name.c_str(), i);
          ok = false;
          break;
        }
      }
    }
  }
  return ok;
}

}  // namespace exprbert_test
