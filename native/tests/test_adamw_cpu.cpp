// CPU twin of the fused AdamW step and grad norm against the naive double reference: many sizes (0, 1, odd,
// unaligned, 278011, a large one), every dtype variant, clipping, found-inf, thread-count invariance.
#include <cmath>
#include <cstring>
#include <limits>

#include "adamw_problem.h"

using namespace exprbert_test;

namespace {

const std::vector<int64_t> kSizes = {0, 1, 3, 17, 64, 1000, 65537, 278011};
const std::vector<int64_t> kLargeSize = {(int64_t{1} << 22) + 3};

// Runs `steps` steps of kernel and reference on the same gradients; optional clipping at max_norm.
bool run_steps(AdamwProblem& p, int steps, double max_norm, int32_t threads) {
  bool ok = true;
  for (int s = 0; s < steps; ++s) {
    p.set_grads(1000u + static_cast<uint32_t>(s));
    AdamwPointers ptrs = host_pointers(p);
    float norm = 0.0f, coef = 0.0f, found_inf = -1.0f;
    exprbert_grad_norm_params g = grad_norm_params(p, ptrs, &norm, -1);
    g.max_norm = max_norm;
    g.clip_coef = &coef;
    g.found_inf = &found_inf;
    g.num_threads = threads;
    ok &= exprbert_grad_norm(&g) == EXPRBERT_OK;
    std::vector<std::vector<double>> widened;
    for (size_t t = 0; t < p.numels.size(); ++t) widened.push_back(p.widened_grad(t));
    const double ref_norm = reference_total_norm(widened);
    if (!(std::fabs(norm - ref_norm) <= 1e-6 * ref_norm + 1e-12)) {
      std::fprintf(stderr, "  total_norm %.9g, reference %.9g\n", norm, ref_norm);
      ok = false;
    }
    ok &= found_inf == 0.0f;
    double clip = 1.0;
    int64_t step = p.step;
    exprbert_adamw_params a = adamw_params(p, ptrs, &step, -1);
    a.num_threads = threads;
    if (max_norm > 0) {
      clip = reference_clip_coef(ref_norm, max_norm);
      ok &= std::fabs(coef - clip) <= 1e-6 * clip;
      a.clip_coef = &coef;
    } else {
      ok &= coef == 1.0f;
    }
    ok &= exprbert_adamw_step(&a) == EXPRBERT_OK;
    p.reference_step(clip);
    ok &= step == p.step;
  }
  return ok;
}

void check_variant(int32_t param_dtype, int32_t grad_dtype, size_t offset, const std::vector<int64_t>& sizes) {
  AdamwProblem p = make_problem(sizes, param_dtype, grad_dtype, 42, offset);
  const bool ok = run_steps(p, 3, 0.0, 0);
  if (!ok) std::fprintf(stderr, "  variant param %d grad %d offset %zu\n", param_dtype, grad_dtype, offset);
  CHECK(ok);
  CHECK(matches_reference("variant", p));
}

}  // namespace

EXPRBERT_TEST(fp32_params_fp32_grads_match_reference) { check_variant(EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 0, kSizes); }
EXPRBERT_TEST(fp32_params_unaligned_pointers_match_reference) { check_variant(EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 1, kSizes); }
EXPRBERT_TEST(fp32_params_bf16_grads_match_reference) { check_variant(EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_BF16, 0, kSizes); }
EXPRBERT_TEST(bf16_params_with_master_fp32_grads_match_reference) { check_variant(EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F32, 0, kSizes); }
EXPRBERT_TEST(bf16_params_with_master_bf16_grads_match_reference) { check_variant(EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_BF16, 1, kSizes); }
EXPRBERT_TEST(f16_params_with_master_fp32_grads_match_reference) { check_variant(EXPRBERT_DTYPE_F16, EXPRBERT_DTYPE_F32, 0, kSizes); }
EXPRBERT_TEST(large_tensor_matches_reference) { check_variant(EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 0, kLargeSize); }

EXPRBERT_TEST(clipping_scales_gradients_like_clip_grad_norm) {
  AdamwProblem p = make_problem(kSizes, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 7);
  CHECK(run_steps(p, 3, 1.0, 0));  // norms are ~ sqrt(350000) >> 1: the clip is active
  CHECK(matches_reference("clipped", p));
}

EXPRBERT_TEST(clip_above_the_norm_leaves_gradients_alone) {
  AdamwProblem p = make_problem({5, 9}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 9);
  p.set_grads(3);
  AdamwPointers ptrs = host_pointers(p);
  float norm = 0, coef = 0;
  exprbert_grad_norm_params g = grad_norm_params(p, ptrs, &norm, -1);
  g.max_norm = 1e6;
  g.clip_coef = &coef;
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
  CHECK_EQ(coef, 1.0f);
}

EXPRBERT_TEST(found_inf_skips_the_whole_update) {
  for (float bad : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN()}) {
    AdamwProblem p = make_problem({100, 70000}, EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F32, 11);
    p.set_grads(5);
    store_as(p.grads[1], p.grad_dtype, 65536 + 3, bad);  // in the second chunk of the second tensor
    const auto params_before = p.params;
    const auto master_before = p.master;
    AdamwPointers ptrs = host_pointers(p);
    float norm = 0, coef = 0, found_inf = 0;
    exprbert_grad_norm_params g = grad_norm_params(p, ptrs, &norm, -1);
    g.max_norm = 1.0;
    g.clip_coef = &coef;
    g.found_inf = &found_inf;
    CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
    CHECK_EQ(found_inf, 1.0f);
    CHECK(!std::isfinite(norm));
    CHECK_EQ(coef, 1.0f);
    int64_t step = 4;
    exprbert_adamw_params a = adamw_params(p, ptrs, &step, -1);
    a.clip_coef = &coef;
    a.found_inf = &found_inf;
    CHECK_EQ(exprbert_adamw_step(&a), EXPRBERT_OK);
    CHECK_EQ(step, int64_t{4});
    CHECK(p.params == params_before);
    CHECK(p.master == master_before);
    for (const auto& m : p.exp_avg)
      for (float x : m) CHECK(x == 0.0f);
  }
}

EXPRBERT_TEST(results_do_not_depend_on_thread_count) {
  std::vector<std::vector<uint8_t>> params_one;
  std::vector<std::vector<float>> m_one, v_one;
  float norm_one = 0;
  for (int32_t threads : {1, 2, 3, 8}) {
    AdamwProblem p = make_problem({278011, 17, 1 << 18}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 13);
    CHECK(run_steps(p, 2, 0.5, threads));
    AdamwPointers ptrs = host_pointers(p);
    float norm = 0;
    exprbert_grad_norm_params g = grad_norm_params(p, ptrs, &norm, -1);
    g.num_threads = threads;
    CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
    if (threads == 1) {
      params_one = p.params;
      m_one = p.exp_avg;
      v_one = p.exp_avg_sq;
      norm_one = norm;
    } else {
      CHECK(p.params == params_one);
      CHECK(p.exp_avg == m_one);
      CHECK(p.exp_avg_sq == v_one);
      CHECK(std::memcmp(&norm, &norm_one, sizeof norm) == 0);
    }
  }
}

EXPRBERT_TEST(lr_from_memory_and_group_scale_are_used) {
  AdamwProblem a = make_problem({33, 40}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 21);
  AdamwProblem b = make_problem({33, 40}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 21);
  a.set_grads(8);
  b.set_grads(8);
  AdamwPointers pa = host_pointers(a), pb = host_pointers(b);
  int64_t sa = 0, sb = 0;
  exprbert_adamw_params x = adamw_params(a, pa, &sa, -1);
  exprbert_adamw_params y = adamw_params(b, pb, &sb, -1);
  const float lr_in_memory = 0.01f;
  x.lr = 123.0;  // ignored because lr_device is set
  x.lr_device = &lr_in_memory;
  y.lr = static_cast<double>(lr_in_memory);
  CHECK_EQ(exprbert_adamw_step(&x), EXPRBERT_OK);
  CHECK_EQ(exprbert_adamw_step(&y), EXPRBERT_OK);
  CHECK(a.params == b.params);
  CHECK(a.params != make_problem({33, 40}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 21).params);  // it did update
}

int main() { return run_all("adamw_cpu"); }
