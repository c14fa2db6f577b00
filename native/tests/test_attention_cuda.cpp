// The CUDA attention kernels against the naive double reference (the same problems and bounds as the CPU
// twin's test): every dtype, head dims 32/64/128, padded and varlen, lengths across tile edges, dropout with the
// materialised mask (which proves CPU and CUDA draw the same bits), an unsupported head_dim named in the status.
// Compiled always; without CUDA in the library or without a device it prints why and exits 77 (CTest: skipped).
#include <cstring>
#include <string>

#include "attention_problem.h"

#if EXPRBERT_TEST_WITH_CUDA
#include "cuda_test_support.h"
#endif

using namespace exprbert_test;

#if EXPRBERT_TEST_WITH_CUDA
namespace {

// Runs forward and backward of `p` on device 0 and copies every output back into `p`.
bool run_on_device(AttentionProblem& p) {
  uint8_t* qkv = upload(p.qkv);
  uint8_t* dout = upload(p.dout);
  uint8_t* out = upload(p.out);
  uint8_t* dq = upload(p.dq);
  uint8_t* dk = upload(p.dk);
  uint8_t* dv = upload(p.dv);
  float* lse = upload(p.lse);
  float* delta = upload(p.delta);
  int32_t* lens = upload(p.lens.empty() ? std::vector<int32_t>{0} : p.lens);
  int32_t* cu = upload(p.cu);
  exprbert_attention_params a = attention_params(p, qkv, out, lse, dout, dq, dk, dv, delta, lens, cu, 0);
  bool ok = exprbert_attention_forward(&a) == EXPRBERT_OK;
  if (!ok) std::fprintf(stderr, "  forward failed: %s\n", exprbert_last_error());
  if (ok) {
    ok = exprbert_attention_backward(&a) == EXPRBERT_OK;
    if (!ok) std::fprintf(stderr, "  backward failed: %s\n", exprbert_last_error());
  }
  if (ok) {
    ok = exprbert_cuda_stream_synchronize(0, nullptr) == EXPRBERT_OK;
    if (!ok) std::fprintf(stderr, "  synchronize failed: %s\n", exprbert_last_error());
  }
  download(p.out, out);
  download(p.dq, dq);
  download(p.dk, dk);
  download(p.dv, dv);
  download(p.lse, lse);
  for (void* ptr : {static_cast<void*>(qkv), static_cast<void*>(dout), static_cast<void*>(out), static_cast<void*>(dq),
                    static_cast<void*>(dk), static_cast<void*>(dv), static_cast<void*>(lse), static_cast<void*>(delta),
                    static_cast<void*>(lens), static_cast<void*>(cu)})
    cudaFree(ptr);
  return ok;
}

double bound_for(int32_t dtype) {
  // fp32: like the CPU twin, with room for a different summation order; 16-bit: the CPU twin's bounds.
  return dtype == EXPRBERT_DTYPE_F32 ? 5e-5 : dtype == EXPRBERT_DTYPE_BF16 ? 1e-2 : 2e-3;
}

std::string label(const AttentionProblem& p) {
  std::string s = (p.layout == EXPRBERT_ATTENTION_VARLEN ? "varlen " : "padded ") + std::string(exprbert::dtype_name(p.dtype)) +
                  " dim " + std::to_string(p.dim) + " lens";
  for (int32_t l : p.lens) s += " " + std::to_string(l);
  return s + " p " + std::to_string(p.dropout_p);
}

}  // namespace

EXPRBERT_TEST(every_dtype_head_dim_and_layout_matches_the_reference) {
  const std::vector<std::vector<int32_t>> patterns = {{1, 17, 64}, {128, 127, 2}, {129, 0, 40}};
  for (int32_t dtype : {EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F16}) {
    for (int64_t dim : {32, 64, 128}) {
      for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
        for (const auto& lens : patterns) {
          for (double dropout : {0.0, 0.2}) {
            AttentionProblem p = make_attention_problem(layout, dtype, lens, 129, 2, dim, static_cast<uint32_t>(dim + dtype));
            p.dropout_p = dropout;
            p.seed = 31337;
            p.offset = 9;
            CHECK(run_on_device(p));
            CHECK(errors_within(label(p).c_str(), compare_with_reference(p, true), bound_for(dtype), true));
          }
        }
      }
    }
  }
}

EXPRBERT_TEST(long_sequences_match_the_reference) {
  for (int32_t dtype : {EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_BF16}) {
    AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, dtype, {512, 300}, 512, 1, 64, 77);
    p.dropout_p = 0.1;
    CHECK(run_on_device(p));
    CHECK(errors_within(label(p).c_str(), compare_with_reference(p, true), bound_for(dtype), true));
  }
}

EXPRBERT_TEST(unsupported_head_dim_is_named) {
  AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {8}, 8, 1, 59, 1);
  CHECK(!run_on_device(p));
  CHECK(std::string(exprbert_last_error()).find("head_dim 59") != std::string::npos);
}

int main() {
  const int32_t devices = exprbert_cuda_device_count();
  if (devices <= 0) {
    std::printf("test_attention_cuda: skipped, no CUDA device (%d: %s)\n", devices, exprbert_last_error());
    return kSkipExitCode;
  }
  return run_all("test_attention_cuda");
}

#else

int main() {
  std::printf("test_attention_cuda: skipped, built without CUDA\n");
  return kSkipExitCode;
}

#endif
