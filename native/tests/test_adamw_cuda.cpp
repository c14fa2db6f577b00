// CUDA AdamW and grad norm against the CPU twin: bit-identical optimizer state (same operation order, no FMA
// on either side), grad norm within 1e-6 relative (double sums in a different order), found-inf skipping, many
// tensors and a tensor larger than one launch's chunk table. Compiled always; without CUDA in the library or
// without a device it prints why and exits 77, which CTest reports as skipped.
#include <cstring>
#include <limits>

#include "adamw_problem.h"

#if EXPRBERT_TEST_WITH_CUDA
#include "cuda_test_support.h"
#endif

using namespace exprbert_test;

#if EXPRBERT_TEST_WITH_CUDA
namespace {

// A device copy of an AdamwProblem's buffers (same offsets), plus the pointer arrays for the ABI.
struct DeviceProblem {
  std::vector<uint8_t*> params, grads;
  std::vector<float*> master, exp_avg, exp_avg_sq;
  AdamwPointers ptrs;
  int64_t* step = nullptr;
  float* scalars = nullptr;  // [0] norm, [1] clip coef, [2] found_inf
  void* workspace = nullptr;

  explicit DeviceProblem(const AdamwProblem& p) {
    for (size_t t = 0; t < p.numels.size(); ++t) {
      params.push_back(upload(p.params[t]));
      grads.push_back(upload(p.grads[t]));
      master.push_back(p.has_master() ? upload(p.master[t]) : nullptr);
      exp_avg.push_back(upload(p.exp_avg[t]));
      exp_avg_sq.push_back(upload(p.exp_avg_sq[t]));
      ptrs.params.push_back(params[t] + p.offset * dtype_bytes(p.param_dtype));
      ptrs.grads.push_back(grads[t] + p.offset * dtype_bytes(p.grad_dtype));
      ptrs.master.push_back(p.has_master() ? master[t] + p.offset : nullptr);
      ptrs.exp_avg.push_back(exp_avg[t] + p.offset);
      ptrs.exp_avg_sq.push_back(exp_avg_sq[t] + p.offset);
    }
    step = upload(std::vector<int64_t>{p.step});
    scalars = upload(std::vector<float>{0, 0, 0});
    check_cuda(cudaMalloc(&workspace, EXPRBERT_GRAD_NORM_WORKSPACE_BYTES), "cudaMalloc(workspace)");
  }
  ~DeviceProblem() {
    for (size_t t = 0; t < params.size(); ++t) {
      cudaFree(params[t]);
      cudaFree(grads[t]);
      cudaFree(master[t]);
      cudaFree(exp_avg[t]);
      cudaFree(exp_avg_sq[t]);
    }
    cudaFree(step);
    cudaFree(scalars);
    cudaFree(workspace);
  }
  void upload_grads(const AdamwProblem& p) {
    for (size_t t = 0; t < p.numels.size(); ++t)
      check_cuda(cudaMemcpy(grads[t], p.grads[t].data(), p.grads[t].size(), cudaMemcpyHostToDevice), "grads");
  }
};

bool same_state(const AdamwProblem& host, const DeviceProblem& dev) {
  bool ok = true;
  for (size_t t = 0; t < host.numels.size(); ++t) {
    std::vector<uint8_t> params(host.params[t].size());
    std::vector<float> m(host.exp_avg[t].size()), v(host.exp_avg_sq[t].size()), w(host.master[t].size());
    download(params, dev.params[t]);
    download(m, dev.exp_avg[t]);
    download(v, dev.exp_avg_sq[t]);
    if (host.has_master()) download(w, dev.master[t]);
    const bool same = params == host.params[t] && m == host.exp_avg[t] && v == host.exp_avg_sq[t] &&
                      (!host.has_master() || w == host.master[t]);
    if (!same) std::fprintf(stderr, "  tensor %zu (%lld elements) differs between CUDA and CPU\n", t,
                            static_cast<long long>(host.numels[t]));
    ok &= same;
  }
  return ok;
}

// Runs `steps` clipped steps on the device and on the CPU twin (fed the device's clip coefficient).
void compare_with_cpu(const std::vector<int64_t>& sizes, int32_t param_dtype, int32_t grad_dtype, size_t offset,
                      int steps, cudaStream_t stream) {
  AdamwProblem host = make_problem(sizes, param_dtype, grad_dtype, 77, offset);
  DeviceProblem dev(host);
  for (int s = 0; s < steps; ++s) {
    host.set_grads(500u + static_cast<uint32_t>(s));
    dev.upload_grads(host);
    // device: norm -> clip coef -> step, all in device memory on `stream`
    exprbert_grad_norm_params g = grad_norm_params(host, dev.ptrs, dev.scalars, 0);
    g.max_norm = 1.0;
    g.clip_coef = dev.scalars + 1;
    g.found_inf = dev.scalars + 2;
    g.stream = stream;
    g.workspace = dev.workspace;
    g.workspace_bytes = EXPRBERT_GRAD_NORM_WORKSPACE_BYTES;
    CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
    exprbert_adamw_params a = adamw_params(host, dev.ptrs, dev.step, 0);
    a.clip_coef = dev.scalars + 1;
    a.found_inf = dev.scalars + 2;
    a.stream = stream;
    CHECK_EQ(exprbert_adamw_step(&a), EXPRBERT_OK);
    CHECK_EQ(exprbert_cuda_stream_synchronize(0, stream), EXPRBERT_OK);
    std::vector<float> scalars(3);
    download(scalars, dev.scalars);
    // host twin with the device's clip coefficient, so the states must agree bit for bit
    AdamwPointers hp = host_pointers(host);
    float norm = 0;
    exprbert_grad_norm_params hg = grad_norm_params(host, hp, &norm, -1);
    CHECK_EQ(exprbert_grad_norm(&hg), EXPRBERT_OK);
    if (!(std::fabs(scalars[0] - norm) <= 1e-6f * norm)) {
      std::fprintf(stderr, "  CUDA norm %.9g, CPU norm %.9g\n", scalars[0], norm);
      CHECK(false);
    }
    CHECK_EQ(scalars[2], 0.0f);
    int64_t host_step = host.step;
    exprbert_adamw_params ha = adamw_params(host, hp, &host_step, -1);
    ha.clip_coef = &scalars[1];
    CHECK_EQ(exprbert_adamw_step(&ha), EXPRBERT_OK);
    host.step = host_step;
  }
  std::vector<int64_t> step(1);
  download(step, dev.step);
  CHECK_EQ(step[0], int64_t{steps});
  const bool same = same_state(host, dev);
  if (!same) std::fprintf(stderr, "  variant param %d grad %d offset %zu\n", param_dtype, grad_dtype, offset);
  CHECK(same);
}

std::vector<int64_t> many_sizes() {  // > 64 tensors: several launches
  std::vector<int64_t> sizes = {0, 1, 3, 17, 1000, 65537, 278011};
  for (int i = 0; i < 90; ++i) sizes.push_back(1 + (i * 7919) % 20000);
  return sizes;
}

cudaStream_t g_stream = nullptr;

}  // namespace

EXPRBERT_TEST(fp32_matches_cpu_twin_bitwise) {
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 0, 3, g_stream);
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 1, 2, g_stream);
}
EXPRBERT_TEST(bf16_master_variants_match_cpu_twin_bitwise) {
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F32, 0, 2, g_stream);
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_BF16, 1, 2, g_stream);
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_F16, EXPRBERT_DTYPE_F32, 0, 2, g_stream);
  compare_with_cpu(many_sizes(), EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_BF16, 0, 2, g_stream);
}
EXPRBERT_TEST(tensor_larger_than_one_launch_matches_cpu_twin) {
  compare_with_cpu({43000001}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 0, 2, g_stream);
}
EXPRBERT_TEST(default_stream_works_too) {
  compare_with_cpu({1000, 70000}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 0, 1, nullptr);
}

EXPRBERT_TEST(found_inf_on_device_skips_update_and_step) {
  AdamwProblem host = make_problem({1000, 70000}, EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F32, 5);
  host.set_grads(9);
  store_as(host.grads[1], host.grad_dtype, 65540, std::numeric_limits<float>::infinity());
  DeviceProblem dev(host);
  exprbert_grad_norm_params g = grad_norm_params(host, dev.ptrs, dev.scalars, 0);
  g.max_norm = 1.0;
  g.clip_coef = dev.scalars + 1;
  g.found_inf = dev.scalars + 2;
  g.workspace = dev.workspace;
  g.workspace_bytes = EXPRBERT_GRAD_NORM_WORKSPACE_BYTES;
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
  exprbert_adamw_params a = adamw_params(host, dev.ptrs, dev.step, 0);
  a.clip_coef = dev.scalars + 1;
  a.found_inf = dev.scalars + 2;
  CHECK_EQ(exprbert_adamw_step(&a), EXPRBERT_OK);
  CHECK_EQ(exprbert_cuda_stream_synchronize(0, nullptr), EXPRBERT_OK);
  std::vector<float> scalars(3);
  download(scalars, dev.scalars);
  CHECK_EQ(scalars[2], 1.0f);
  std::vector<int64_t> step(1);
  download(step, dev.step);
  CHECK_EQ(step[0], int64_t{0});
  CHECK(same_state(host, dev));  // unchanged: host copy was never stepped
}

EXPRBERT_TEST(bad_device_index_returns_a_status) {
  AdamwProblem host = make_problem({10}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 5);
  DeviceProblem dev(host);
  exprbert_adamw_params a = adamw_params(host, dev.ptrs, dev.step, 4096);
  CHECK_EQ(exprbert_adamw_step(&a), EXPRBERT_ERROR_CUDA);
  std::printf("  device 4096: %s\n", exprbert_last_error());
}

int main() {
  if (!exprbert_cuda_compiled()) {
    std::printf("SKIPPED: libexprbert_kernels was built without CUDA (%s)\n", exprbert_build_info());
    return kSkipExitCode;
  }
  const int32_t devices = exprbert_cuda_device_count();
  if (devices <= 0) {
    std::printf("SKIPPED: no usable CUDA device (count %d: %s)\n", devices, exprbert_last_error());
    return kSkipExitCode;
  }
  check_cuda(cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const int result = run_all("adamw_cuda");
  cudaStreamDestroy(g_stream);
  return result;
}
#else
int main() {
  std::printf("SKIPPED: tests built without the CUDA toolkit (%s)\n", exprbert_build_info());
  return kSkipExitCode;
}
#endif
