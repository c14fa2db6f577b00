// The CPU attention twin against the naive double reference: a grid of head dims and lengths, padding
// patterns, varlen, dropout (p = 0 equal to no dropout; p > 0 equal to the reference with the materialised
// mask), 16-bit storage, thread-count independence, and bad params answered with a status naming them.
// Every case runs once per SIMD build of the kernels that this CPU can run (attention_cpu_builds.h). The sliding
// window has its own grid in test_attention_window_cpu.cpp.
#include <cstring>
#include <string>

#include "../src/common/philox.h"
#include "attention_cpu_builds.h"

using namespace exprbert_test;

namespace {

std::string label(const AttentionProblem& p) {
  std::string s = (p.layout == EXPRBERT_ATTENTION_VARLEN ? "varlen" : "padded") + std::string(" dim ") +
                  std::to_string(p.dim) + " lens";
  for (int32_t l : p.lens) s += " " + std::to_string(l);
  return s + " p " + std::to_string(p.dropout_p);
}

bool error_mentions(const char* word) { return std::string(exprbert_last_error()).find(word) != std::string::npos; }

}  // namespace

EXPRBERT_TEST(philox_matches_the_random123_known_answers) {
  const exprbert::Philox4 zero = exprbert::philox4x32_10(0, 0, 0, 0, 0, 0);
  CHECK_EQ(zero.x[0], 0x6627e8d5u);
  CHECK_EQ(zero.x[1], 0xe169c58du);
  CHECK_EQ(zero.x[2], 0xbc57ac4cu);
  CHECK_EQ(zero.x[3], 0x9b00dbd8u);
  const uint32_t f = 0xffffffffu;
  const exprbert::Philox4 ones = exprbert::philox4x32_10(f, f, f, f, f, f);
  CHECK_EQ(ones.x[0], 0x408f276du);
  CHECK_EQ(ones.x[1], 0x41c83b0eu);
  CHECK_EQ(ones.x[2], 0xa20bc7c6u);
  CHECK_EQ(ones.x[3], 0x6d5451fdu);
}

EXPRBERT_TEST(grid_of_head_dims_and_lengths_matches_the_reference) {
  for (int64_t dim : {32, 64, 128, 59}) {
    for (int32_t len : {1, 2, 17, 64, 127, 128, 129, 512}) {
      const int64_t heads = len >= 256 ? 1 : 2;
      AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {len, len}, len, heads,
                                                  dim, static_cast<uint32_t>(dim * 1000 + len));
      CHECK(run_both(p));
      CHECK(within(label(p).c_str(), compare_with_reference(p, true), kF32Bound));
    }
  }
}

// Head dims that exercise every vector-count remainder of the micro-kernels: 1 and 8 (one vector, mostly
// padding), 200 (three full 4-vector chunks and a remainder on AVX-512, 50 vectors of 4 on the generic build).
EXPRBERT_TEST(edge_head_dims_match_the_reference) {
  for (int64_t dim : {1, 8, 200}) {
    for (int32_t len : {1, 17, 129}) {
      AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_F32, {len, 3},
                                                  std::max(len, 3), 2, dim, static_cast<uint32_t>(dim * 7 + len));
      p.dropout_p = 0.1;
      p.seed = 17;
      CHECK(run_both(p));
      CHECK(within(label(p).c_str(), compare_with_reference(p, true), kF32Bound));
    }
  }
}

EXPRBERT_TEST(padding_patterns_match_the_reference_and_zero_padded_rows) {
  const std::vector<std::vector<int32_t>> patterns = {{129, 1, 40, 3}, {1, 1}, {0, 5, 64}, {200, 17}};
  for (int64_t dim : {32, 64}) {
    for (const auto& lens : patterns) {
      AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, lens, 200, 3, dim, 11);
      CHECK(run_both(p));
      CHECK(within(label(p).c_str(), compare_with_reference(p, true), kF32Bound));
    }
  }
}

EXPRBERT_TEST(padded_without_seqlens_uses_every_row) {
  AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {33, 33}, 33, 2, 64, 5);
  p.pass_seqlens = false;
  CHECK(run_both(p));
  CHECK(within("no seqlens", compare_with_reference(p, true), kF32Bound));
}

EXPRBERT_TEST(varlen_matches_the_reference_and_equals_padded_bit_for_bit) {
  const std::vector<int32_t> lens = {129, 1, 40, 3, 0, 64};
  for (double dropout : {0.0, 0.25}) {
    AttentionProblem varlen = make_attention_problem(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_F32, lens, 129, 2, 64, 3);
    AttentionProblem padded = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, lens, 129, 2, 64, 3);
    for (AttentionProblem* p : {&varlen, &padded}) {
      p->dropout_p = dropout;
      p->seed = 99;
      p->offset = 5;
    }
    copy_real_rows(varlen, padded);  // same logical values in both layouts
    CHECK(run_both(varlen));
    CHECK(run_both(padded));
    CHECK(within(label(varlen).c_str(), compare_with_reference(varlen, true), kF32Bound));
    CHECK(same_real_rows(padded, varlen));
  }
}

EXPRBERT_TEST(dropout_zero_equals_no_dropout_whatever_the_seed) {
  AttentionProblem plain = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {50, 7}, 50, 2, 32, 8);
  AttentionProblem seeded = plain;
  seeded.seed = 0x1234567890abcdefull;
  seeded.offset = 77;
  CHECK(run_both(plain));
  CHECK(run_both(seeded));
  CHECK(plain.out == seeded.out);
  CHECK(plain.dq == seeded.dq && plain.dk == seeded.dk && plain.dv == seeded.dv);
}

EXPRBERT_TEST(dropout_matches_the_reference_with_the_materialised_mask) {
  for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
    for (double dropout : {0.1, 0.5}) {
      AttentionProblem p = make_attention_problem(layout, EXPRBERT_DTYPE_F32, {128, 17, 1}, 128, 2, 64, 21);
      p.dropout_p = dropout;
      p.seed = 2024;
      p.offset = 3;
      CHECK(run_both(p));
      CHECK(within(label(p).c_str(), compare_with_reference(p, true), kF32Bound));
    }
  }
}

EXPRBERT_TEST(dropout_mask_keeps_one_minus_p_and_changes_with_seed_and_offset) {
  AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {256, 256}, 256, 4, 8, 1);
  p.dropout_p = 0.1;
  p.seed = 7;
  const std::vector<uint8_t> a = keep_mask(p);
  double kept = 0;
  for (uint8_t x : a) kept += x;
  const double fraction = kept / static_cast<double>(a.size());
  std::printf("  kept fraction %.5f of %zu (p = 0.1)\n", fraction, a.size());
  CHECK(std::fabs(fraction - 0.9) < 0.003);  // 5 standard deviations of a binomial over 524288 draws
  p.offset = 1;
  CHECK(keep_mask(p) != a);
  p.offset = 0;
  p.seed = 8;
  CHECK(keep_mask(p) != a);
  p.seed = 7;
  CHECK(keep_mask(p) == a);
}

EXPRBERT_TEST(sixteen_bit_storage_matches_the_reference) {
  for (int32_t dtype : {EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F16}) {
    for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
      AttentionProblem p = make_attention_problem(layout, dtype, {100, 31}, 100, 2, 64, 4);
      p.dropout_p = 0.2;
      p.seed = 5;
      CHECK(run_both(p));
      CHECK(within(label(p).c_str(), compare_with_reference(p, true),
                   dtype == EXPRBERT_DTYPE_BF16 ? kBF16Bound : kF16Bound));
    }
  }
}

EXPRBERT_TEST(results_do_not_depend_on_the_thread_count) {
  AttentionProblem one = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {70, 3, 64, 20}, 70, 3, 32, 6);
  one.dropout_p = 0.3;
  AttentionProblem many = one;
  CHECK(run_both(one, 1));
  CHECK(run_both(many, 3));
  CHECK(same_outputs(one, many));
}

EXPRBERT_TEST(results_are_the_same_bits_for_any_thread_count_and_on_every_call) {
  for (int32_t dtype : {EXPRBERT_DTYPE_F32, EXPRBERT_DTYPE_BF16}) {
    for (double dropout : {0.0, 0.1}) {
      // Fresh problems (same inputs, nan-filled outputs), so a row left unwritten cannot pass as equal.
      auto fresh = [&]() {
        AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, dtype, {128, 77, 128, 5, 100}, 128, 4,
                                                    64, 12);
        p.dropout_p = dropout;
        p.seed = 31;
        return p;
      };
      AttentionProblem first = fresh();
      CHECK(run_both(first, 1));
      for (int32_t threads : {2, 7, 0, 1}) {
        AttentionProblem again = fresh();
        CHECK(run_both(again, threads));
        CHECK(same_outputs(again, first));
      }
    }
  }
}

EXPRBERT_TEST(bad_params_return_a_status_naming_the_field) {
  AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_F32, {4, 6}, 6, 1, 8, 2);
  struct Case {
    const char* expected_word;
    exprbert_status expected_status;
    void (*spoil)(exprbert_attention_params&);
  };
  static const int32_t decreasing[3] = {0, 6, 4};
  static const int32_t too_long[3] = {0, 4, 12};
  const Case cases[] = {
      {"layout", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.layout = 5; }},
      {"dtype", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.dtype = 9; }},
      {"heads", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.heads = 0; }},
      {"head_dim 300", EXPRBERT_ERROR_UNSUPPORTED, [](exprbert_attention_params& a) { a.head_dim = 300; }},
      {"scale", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.scale = 0.0; }},
      {"dropout_p", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.dropout_p = 1.0; }},
      {"cu_seqlens must not be NULL", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.cu_seqlens = nullptr; }},
      {"non-decreasing", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.cu_seqlens = decreasing; a.total_tokens = 4; }},
      {"max_seqlen 6", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.cu_seqlens = too_long; a.total_tokens = 12; }},
      {"total_tokens", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.total_tokens = 9; }},
      {"q, k and v", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.k = nullptr; }},
      {"lse", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.lse = nullptr; }},
      {"q strides", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.q_row_stride = -1; }},
      {"device", EXPRBERT_ERROR_INVALID_ARGUMENT, [](exprbert_attention_params& a) { a.device = -2; }},
  };
  for (const Case& c : cases) {
    exprbert_attention_params a = host_attention_params(p);
    c.spoil(a);
    const exprbert_status status = exprbert_attention_forward(&a);
    CHECK_EQ(status, c.expected_status);
    if (!error_mentions(c.expected_word)) {
      std::fprintf(stderr, "  expected '%s' in: %s\n", c.expected_word, exprbert_last_error());
      CHECK(false);
    }
  }
  CHECK_EQ(exprbert_attention_forward(nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
  exprbert_attention_params a = host_attention_params(p);
  a.dq = nullptr;
  CHECK_EQ(exprbert_attention_backward(&a), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("dq, dk and dv"));
  AttentionProblem padded = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {4, 6}, 6, 1, 8, 2);
  padded.lens[1] = 7;
  a = host_attention_params(padded);
  CHECK_EQ(exprbert_attention_forward(&a), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("seqlens[1]"));
  CHECK_EQ(exprbert_attention_dropout_mask(nullptr, nullptr), EXPRBERT_ERROR_INVALID_ARGUMENT);
}

int main() { return run_all_builds("test_attention_cpu"); }
