// The sliding window (local attention, kernels.h) of the CPU attention twin against the naive double reference:
// window sizes 0, 1, 4, across the 16/32/64 block edges and wider than every sequence, asymmetric and one-sided
// windows, padding patterns and varlen, dropout p = 0 and p > 0 (with the materialised mask: the window only
// removes terms, the kept positions are the same draws), odd head dims, 16-bit storage, padding rows whose window
// holds no real key (zeros, never nan), bit-for-bit agreements (a window wider than everything equals no window;
// varlen equals padded; any thread count), and bad window params named in the status.
// Every case runs once per SIMD build of the kernels that this CPU can run (attention_cpu_builds.h).
#include <cmath>
#include <string>

#include "attention_cpu_builds.h"

using namespace exprbert_test;

namespace {

std::string label(const AttentionProblem& p) {
  std::string s = (p.layout == EXPRBERT_ATTENTION_VARLEN ? "varlen " : "padded ") + std::string(exprbert::dtype_name(p.dtype)) +
                  " dim " + std::to_string(p.dim) + " window " + std::to_string(p.window_left) + "/" +
                  std::to_string(p.window_right) + " lens";
  for (int32_t l : p.lens) s += " " + std::to_string(l);
  return s + " p " + std::to_string(p.dropout_p);
}

// Lengths that cross the kernels' query (32) and key (64) blocks several times, with short and empty sequences.
const std::vector<int32_t> kPaddedLens = {200, 1, 40, 3};
const std::vector<int32_t> kVarlenLens = {300, 17, 64, 0, 5};

AttentionProblem windowed(int32_t layout, int32_t dtype, int64_t dim, int64_t left, int64_t right, double dropout,
                          uint32_t seed) {
  const std::vector<int32_t>& lens = layout == EXPRBERT_ATTENTION_PADDED ? kPaddedLens : kVarlenLens;
  const int32_t longest = layout == EXPRBERT_ATTENTION_PADDED ? 200 : 300;
  AttentionProblem p = make_attention_problem(layout, dtype, lens, longest, 2, dim, seed);
  set_window(p, left, right);
  p.dropout_p = dropout;
  p.seed = 4242;
  p.offset = 17;
  return p;
}

bool check_against_reference(AttentionProblem& p) {
  if (!run_both(p)) return false;
  return within(label(p), compare_with_reference(p, true), bound_for_dtype(p.dtype));
}

template <typename T>
bool all_finite(const std::vector<T>& values) {
  for (T x : values)
    if (!std::isfinite(static_cast<double>(x))) return false;
  return true;
}

bool error_mentions(const char* word) { return std::string(exprbert_last_error()).find(word) != std::string::npos; }

}  // namespace

EXPRBERT_TEST(symmetric_windows_match_the_reference) {
  // 0: only the diagonal; 1 and 4: a few keys; 31/64/65: across the block edges; 400: wider than every sequence.
  for (int64_t half : {0, 1, 4, 31, 64, 65, 400}) {
    for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
      for (double dropout : {0.0, 0.15}) {
        AttentionProblem p = windowed(layout, EXPRBERT_DTYPE_F32, 64, half, half, dropout, static_cast<uint32_t>(half + 1));
        CHECK(check_against_reference(p));
      }
    }
  }
}

EXPRBERT_TEST(asymmetric_and_one_sided_windows_match_the_reference) {
  const int64_t sides[][2] = {{3, 0}, {0, 5}, {-1, 2}, {7, -1}, {0, -1}, {70, 1}};
  for (const auto& side : sides) {
    for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
      AttentionProblem p = windowed(layout, EXPRBERT_DTYPE_F32, 32, side[0], side[1], 0.1, 9);
      CHECK(check_against_reference(p));
    }
  }
}

// Head dims that leave every vector-count remainder of the micro-kernels (see test_attention_cpu's edge dims).
EXPRBERT_TEST(odd_head_dims_with_a_window_match_the_reference) {
  for (int64_t dim : {1, 8, 59, 200}) {
    for (int64_t half : {4, 70}) {
      AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_F32, {129, 3}, 129, 2, dim,
                                                  static_cast<uint32_t>(dim));
      set_window(p, half, half);
      p.dropout_p = 0.1;
      p.seed = 5;
      CHECK(check_against_reference(p));
    }
  }
}

EXPRBERT_TEST(sixteen_bit_storage_with_a_window_matches_the_reference) {
  for (int32_t dtype : {EXPRBERT_DTYPE_BF16, EXPRBERT_DTYPE_F16}) {
    for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
      for (double dropout : {0.0, 0.2}) {
        AttentionProblem p = windowed(layout, dtype, 64, 16, 16, dropout, 77);
        CHECK(check_against_reference(p));
      }
    }
  }
}

// A window that covers every sequence takes the same blocks and masks as no window: the same bits, which also
// shows that a call without a window pays nothing for the option.
EXPRBERT_TEST(a_window_wider_than_every_sequence_equals_no_window_bit_for_bit) {
  for (int32_t layout : {EXPRBERT_ATTENTION_PADDED, EXPRBERT_ATTENTION_VARLEN}) {
    for (const int64_t side : {int64_t{300}, int64_t{-1}}) {
      AttentionProblem plain = windowed(layout, EXPRBERT_DTYPE_F32, 32, 0, 0, 0.1, 3);
      plain.window_kind = EXPRBERT_ATTENTION_WINDOW_NONE;
      AttentionProblem wide = plain;
      set_window(wide, side, side);
      CHECK(run_both(plain));
      CHECK(run_both(wide));
      CHECK(same_outputs(plain, wide));
    }
  }
}

// [note: empty windows] A real query always sees itself, so only a padding row can have a window without a real
// key; the kernels give every padding row zeros, lse 0 and zero gradients (Hugging Face's eager attention gives it
// a uniform row instead; nothing real depends on it). Here sequence 0 (length 3 of 64) has padding rows 6..63 whose
// window of 2 holds no real key, and the one-sided windows empty other rows.
EXPRBERT_TEST(padding_rows_whose_window_holds_no_real_key_get_zeros_not_nan) {
  const int64_t sides[][2] = {{2, 2}, {0, 3}, {3, 0}, {0, 0}};
  for (const auto& side : sides) {
    for (double dropout : {0.0, 0.3}) {
      AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {3, 40, 0, 64}, 64, 2, 32, 8);
      set_window(p, side[0], side[1]);
      p.dropout_p = dropout;
      CHECK(check_against_reference(p));  // also: every padding row of out, dq, dk, dv is 0 and its lse is 0
      CHECK(all_finite(p.lse));
      for (const auto* buffer : {&p.out, &p.dq, &p.dk, &p.dv}) {
        bool finite = true;
        for (size_t at = 0; at < buffer->size(); at += 4) finite = finite && std::isfinite(load_value(p.dtype, buffer->data() + at));
        CHECK(finite);
      }
    }
  }
}

EXPRBERT_TEST(varlen_equals_padded_bit_for_bit_with_a_window) {
  const std::vector<int32_t> lens = {129, 1, 40, 3, 0, 64};
  const int64_t sides[][2] = {{8, 8}, {0, 20}};
  for (const auto& side : sides) {
    AttentionProblem varlen = make_attention_problem(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_F32, lens, 129, 2, 64, 3);
    AttentionProblem padded = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, lens, 129, 2, 64, 3);
    for (AttentionProblem* p : {&varlen, &padded}) {
      set_window(*p, side[0], side[1]);
      p->dropout_p = 0.25;
      p->seed = 99;
      p->offset = 5;
    }
    copy_real_rows(varlen, padded);
    CHECK(run_both(varlen));
    CHECK(run_both(padded));
    CHECK(within(label(varlen), compare_with_reference(varlen, true), kF32Bound));
    CHECK(same_real_rows(padded, varlen));
  }
}

EXPRBERT_TEST(window_results_are_the_same_bits_for_any_thread_count) {
  AttentionProblem one = windowed(EXPRBERT_ATTENTION_VARLEN, EXPRBERT_DTYPE_BF16, 64, 5, 9, 0.1, 12);
  AttentionProblem many = one;
  CHECK(run_both(one, 1));
  CHECK(run_both(many, 3));
  CHECK(same_outputs(one, many));
}

EXPRBERT_TEST(bad_window_params_return_a_status_naming_the_field) {
  AttentionProblem p = make_attention_problem(EXPRBERT_ATTENTION_PADDED, EXPRBERT_DTYPE_F32, {4, 6}, 6, 1, 8, 2);
  exprbert_attention_params a = host_attention_params(p);
  a.window = 2;
  CHECK_EQ(exprbert_attention_forward(&a), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("window must be 0 (none) or 1 (sliding), got 2"));
  a = host_attention_params(p);
  a.window_left = 3;  // sizes without the switch would silently mean full attention
  CHECK_EQ(exprbert_attention_backward(&a), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("window is 0 (none)"));
  a = host_attention_params(p);
  a.window = EXPRBERT_ATTENTION_WINDOW_SLIDING;
  a.window_left = 4;
  a.window_right = -2;
  CHECK_EQ(exprbert_attention_forward(&a), EXPRBERT_ERROR_INVALID_ARGUMENT);
  CHECK(error_mentions("window_left and window_right must be >= 0 or -1 (unlimited), got 4, -2"));
}

int main() { return run_all_builds("test_attention_window_cpu"); }
