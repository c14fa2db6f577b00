// The naive attention reference: full score matrices, every value in double, straight from the formulas
// (softmax, dropout with the materialised keep mask, the sliding window as a plain visibility test, and the
// textbook gradients dS = P * (dP - rowsum(P * dP))). It shares nothing with the kernels except the mask they are
// asked to reproduce.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace exprbert_test {

// Which keys a query sees: j in [i - left, i + right], a side of -1 unlimited (kernels.h's sliding window).
struct ReferenceWindow {
  int64_t left = -1, right = -1;
  bool sees(int64_t i, int64_t j) const { return (left < 0 || j >= i - left) && (right < 0 || j <= i + right); }
};

// One (sequence, head): q, k, v, dout are [len][dim] row-major doubles; keep is [len][len] 0/1 (or empty).
// A row that sees no key gets out = 0, lse = 0 and no gradient (the kernels' rule for such rows).
struct ReferenceHead {
  std::vector<double> out, lse, dq, dk, dv;
};

inline ReferenceHead reference_attention(const std::vector<double>& q, const std::vector<double>& k,
                                         const std::vector<double>& v, const std::vector<double>& dout, int64_t len,
                                         int64_t dim, double scale, double dropout_p, const std::vector<uint8_t>& keep,
                                         const ReferenceWindow& window = {}) {
  ReferenceHead r;
  r.out.assign(len * dim, 0.0);
  r.lse.assign(len, 0.0);
  r.dq.assign(len * dim, 0.0);
  r.dk.assign(len * dim, 0.0);
  r.dv.assign(len * dim, 0.0);
  std::vector<double> p(len), z(len), dp(len);
  for (int64_t i = 0; i < len; ++i) {
    double max = -INFINITY;
    for (int64_t j = 0; j < len; ++j) {
      double s = 0.0;
      for (int64_t d = 0; d < dim; ++d) s += q[i * dim + d] * k[j * dim + d];
      p[j] = window.sees(i, j) ? s * scale : -INFINITY;
      max = std::fmax(max, p[j]);
    }
    if (max == -INFINITY) continue;  // no key in the window: zeros
    double sum = 0.0;
    for (int64_t j = 0; j < len; ++j) sum += std::exp(p[j] - max);
    r.lse[i] = max + std::log(sum);
    for (int64_t j = 0; j < len; ++j) {
      p[j] = std::exp(p[j] - r.lse[i]);  // exactly 0 outside the window
      z[j] = keep.empty() ? 1.0 : keep[i * len + j] / (1.0 - dropout_p);
    }
    for (int64_t j = 0; j < len; ++j)
      for (int64_t d = 0; d < dim; ++d) r.out[i * dim + d] += p[j] * z[j] * v[j * dim + d];
    // Backward of row i.
    double row = 0.0;
    for (int64_t j = 0; j < len; ++j) {
      double dpz = 0.0;
      for (int64_t d = 0; d < dim; ++d) dpz += dout[i * dim + d] * v[j * dim + d];
      dp[j] = dpz * z[j];
      row += p[j] * dp[j];
    }
    for (int64_t j = 0; j < len; ++j) {
      const double ds = p[j] * (dp[j] - row) * scale;
      for (int64_t d = 0; d < dim; ++d) {
        r.dv[j * dim + d] += p[j] * z[j] * dout[i * dim + d];
        r.dq[i * dim + d] += ds * k[j * dim + d];
        r.dk[j * dim + d] += ds * q[i * dim + d];
      }
    }
  }
  return r;
}

}  // namespace exprbert_test
