// One AdamW element: load from the storage types, update in float, store back. Shared by the CPU
// twin's loop and the CUDA multi-tensor kernel, so both traverse differently but compute and store
// identically (traversal, math and dispatch kept apart).
#pragma once

#include <cstdint>

#include "adamw_math.h"
#include "dtype.h"
#include "host_device.h"

namespace exprbert {

// P: parameter storage type; G: gradient storage type; kHasMaster: fp32 master weights hold the
// value of record (bf16/fp16 parameters), and the parameter gets its rounded copy.
template <typename P, typename G, bool kHasMaster>
EXPRBERT_HD void adamw_update_element(P* param, float* master, const G* grad, float* exp_avg, float* exp_avg_sq,
                                      int64_t i, const AdamwCoefficients& c, float clip) {
  float weight = kHasMaster ? master[i] : to_float(param[i]);
  float m = exp_avg[i];
  float v = exp_avg_sq[i];
  adamw_update(weight, m, v, to_float(grad[i]) * clip, c);
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  if (kHasMaster) master[i] = weight;
  param[i] = from_float<P>(weight);
}

}  // namespace exprbert
