// The C boundary never crashes: bad params return a status naming the problem, success clears the last
// error, and the build/device queries answer on a machine without GPU or driver.
#include <cstdlib>
#include <cstring>
#include <string>

#include "adamw_problem.h"

using namespace exprbert_test;

namespace {

bool error_mentions(const char* word) { return std::string(exprbert_last_error()).find(word) != std::string::npos; }

struct ValidCall {
  AdamwProblem problem = make_problem({4, 5}, EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_F32, 1);
  AdamwPointers ptrs = host_pointers(problem);
  int64_t step = 0;
  exprbert_adamw_params params = adamw_params(problem, ptrs, &step, -1);
};

}  // namespace

EXPRBERT_TEST(build_info_and_device_count_answer_without_a_gpu) {
  const std::string info = exprbert_build_info();
  CHECK(info.find("abi " + std::to_string(EXPRBERT_ABI_VERSION)) != std::string::npos);
  CHECK(info.find(exprbert_cuda_compiled() ? "archs" : "cuda off") != std::string::npos);
  const int32_t count = exprbert_cuda_device_count();
  std::printf("  build info: %s; device count %d (%s)\n", info.c_str(), count, exprbert_last_error());
  if (count < 0) CHECK(std::strlen(exprbert_last_error()) > 0);
}

EXPRBERT_TEST(abi_version_and_struct_sizes_describe_this_build) {
  CHECK_EQ(exprbert_abi_version(), int32_t{EXPRBERT_ABI_VERSION});
  CHECK_EQ(exprbert_params_size(EXPRBERT_PARAMS_GRAD_NORM), static_cast<int64_t>(sizeof(exprbert_grad_norm_params)));
  CHECK_EQ(exprbert_params_size(EXPRBERT_PARAMS_ADAMW), static_cast<int64_t>(sizeof(exprbert_adamw_params)));
  CHECK_EQ(exprbert_params_size(EXPRBERT_PARAMS_ATTENTION), static_cast<int64_t>(sizeof(exprbert_attention_params)));
  CHECK_EQ(exprbert_params_size(3), int64_t{-1});
  CHECK_EQ(exprbert_params_size(-1), int64_t{-1});
}

// Every byte of a struct full of garbage is zero after its initialiser; NULL is ignored.
template <typename Params>
bool all_zero_after(void (*init)(Params*)) {
  Params p;
  std::memset(&p, 0xA5, sizeof p);
  init(&p);
  init(nullptr);
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(&p);
  for (size_t i = 0; i < sizeof p; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

EXPRBERT_TEST(params_initialisers_zero_every_byte) {
  CHECK(all_zero_after(exprbert_grad_norm_params_init));
  CHECK(all_zero_after(exprbert_adamw_params_init));
  CHECK(all_zero_after(exprbert_attention_params_init));
}

namespace {
int seven_threads(void) { return 7; }
}  // namespace

EXPRBERT_TEST(call_int_getter_returns_what_the_function_returns) {
  CHECK_EQ(exprbert_call_int_getter(reinterpret_cast<const void*>(&seven_threads)), 7);
  CHECK_EQ(exprbert_call_int_getter(nullptr), -EXPRBERT_ERROR_INVALID_ARGUMENT);
}

EXPRBERT_TEST(set_default_env_sets_only_what_is_unset) {
  ::unsetenv("EXPRBERT_TEST_DEFAULT_ENV");
  CHECK_EQ(exprbert_set_default_env("EXPRBERT_TEST_DEFAULT_ENV", "PASSIVE"), 1);
  CHECK(std::strcmp(std::getenv("EXPRBERT_TEST_DEFAULT_ENV"), "PASSIVE") == 0);
  CHECK_EQ(exprbert_set_default_env("EXPRBERT_TEST_DEFAULT_ENV", "ACTIVE"), 0);  // the user's value wins
  CHECK(std::strcmp(std::getenv("EXPRBERT_TEST_DEFAULT_ENV"), "PASSIVE") == 0);
  CHECK_EQ(exprbert_set_default_env("", "x"), -EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK_EQ(exprbert_set_default_env("A=B", "x"), -EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK_EQ(exprbert_set_default_env("X", nullptr), -EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("non-empty string"));
}

EXPRBERT_TEST(null_params_struct_is_rejected) {
  CHECK_EQ(exprbert_adamw_step(nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("params must not be NULL"));
  CHECK_EQ(exprbert_grad_norm(nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
}

EXPRBERT_TEST(success_clears_the_last_error) {
  CHECK_EQ(exprbert_adamw_step(nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
  ValidCall call;
  CHECK_EQ(exprbert_adamw_step(&call.params), EXPRBERT_OK);
  CHECK(std::string(exprbert_last_error()).empty());
  CHECK_EQ(call.step, int64_t{1});
}

EXPRBERT_TEST(each_bad_field_is_named) {
  struct Case {
    const char* expected_word;
    void (*spoil)(exprbert_adamw_params&);
  };
  static int64_t negative_numels[2] = {4, -1};
  static int32_t bad_groups[2] = {0, 7};
  static void* null_params[2] = {nullptr, nullptr};
  const Case cases[] = {
      {"num_tensors", [](exprbert_adamw_params& p) { p.num_tensors = -1; }},
      {"numels[1]", [](exprbert_adamw_params& p) { p.numels = negative_numels; }},
      {"param_dtype", [](exprbert_adamw_params& p) { p.param_dtype = 9; }},
      {"grad_dtype", [](exprbert_adamw_params& p) { p.grad_dtype = -2; }},
      {"step", [](exprbert_adamw_params& p) { p.step = nullptr; }},
      {"params[0]", [](exprbert_adamw_params& p) { p.params = null_params; }},
      {"grads must not be NULL", [](exprbert_adamw_params& p) { p.grads = nullptr; }},
      {"exp_avg_sq", [](exprbert_adamw_params& p) { p.exp_avg_sq = nullptr; }},
      {"group_index[1]", [](exprbert_adamw_params& p) { p.group_index = bad_groups; }},
      {"master (fp32 master weights)", [](exprbert_adamw_params& p) { p.param_dtype = EXPRBERT_DTYPE_BF16; }},
      {"beta1", [](exprbert_adamw_params& p) { p.beta1 = 1.0; }},
      {"eps", [](exprbert_adamw_params& p) { p.eps = 0.0; }},
      {"lr", [](exprbert_adamw_params& p) { p.lr = -1.0; }},
      {"num_groups", [](exprbert_adamw_params& p) { p.num_groups = 0; }},
      {"device", [](exprbert_adamw_params& p) { p.device = -5; }},
      {"num_threads", [](exprbert_adamw_params& p) { p.num_threads = -1; }},
  };
  for (const Case& c : cases) {
    ValidCall call;
    c.spoil(call.params);
    const exprbert_status status = exprbert_adamw_step(&call.params);
    const bool ok = status == EXPRBERT_ERROR_INVALID_ARGUMENT && error_mentions(c.expected_word);
    if (!ok) std::fprintf(stderr, "  case '%s': status %d, error '%s'\n", c.expected_word, status, exprbert_last_error());
    CHECK(ok);
    CHECK_EQ(call.step, int64_t{0});  // nothing ran
  }
}

EXPRBERT_TEST(grad_norm_bad_fields_are_named) {
  ValidCall call;
  float norm = 0;
  exprbert_grad_norm_params g = grad_norm_params(call.problem, call.ptrs, &norm, -1);
  g.total_norm = nullptr;
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("total_norm"));
  g.total_norm = &norm;
  g.grad_dtype = 5;
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("grad_dtype"));
  g.grad_dtype = EXPRBERT_DTYPE_F32;
  g.device = 0;  // a CUDA call without workspace
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("workspace"));
}

EXPRBERT_TEST(empty_and_zero_sized_calls_are_fine) {
  int64_t step = 0;
  exprbert_adamw_params a;
  exprbert_adamw_params_init(&a);
  a.beta1 = 0.9;
  a.beta2 = 0.999;
  a.eps = 1e-8;
  a.step = &step;
  a.device = -1;
  CHECK_EQ(exprbert_adamw_step(&a), EXPRBERT_OK);
  CHECK_EQ(step, int64_t{1});
  float norm = -1.0f;
  exprbert_grad_norm_params g;
  exprbert_grad_norm_params_init(&g);
  g.total_norm = &norm;
  g.device = -1;
  CHECK_EQ(exprbert_grad_norm(&g), EXPRBERT_OK);
  CHECK_EQ(norm, 0.0f);
}

EXPRBERT_TEST(a_cuda_call_without_a_usable_gpu_returns_a_status) {
  if (exprbert_cuda_device_count() > 0) {
    std::printf("  (a GPU is present: covered by test_adamw_cuda instead)\n");
    ValidCall call;
    call.params.device = 1 << 20;  // no such device
    CHECK(exprbert_adamw_step(&call.params) != EXPRBERT_OK);
    return;
  }
  ValidCall call;
  call.params.device = 0;
  const exprbert_status status = exprbert_adamw_step(&call.params);
  CHECK(status == EXPRBERT_ERROR_CUDA_UNAVAILABLE);
  std::printf("  device-0 call: status %d, %s\n", status, exprbert_last_error());
  CHECK_EQ(exprbert_cuda_stream_synchronize(-1, nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
}

int main() { return run_all("abi"); }
