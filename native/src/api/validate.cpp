#include "validate.h"

#include <cmath>
#include <string>

#include "../common/dtype.h"
#include "errors.h"

namespace exprbert {
namespace {

std::string at(const char* field, int64_t i) { return std::string(field) + "[" + std::to_string(i) + "]"; }

void check_grad_dtype(int32_t grad_dtype) {
  require(is_known_dtype(grad_dtype),
          "grad_dtype must be an exprbert_dtype (0 = f32, 1 = f16, 2 = bf16), got " + std::to_string(grad_dtype));
}

void check_device(int32_t device) {
  require(device >= -1, "device must be -1 (CPU) or a CUDA device index >= 0, got " + std::to_string(device));
}

void check_numels(const int64_t* numels, int64_t num_tensors) {
  require(num_tensors >= 0, "num_tensors must be >= 0, got " + std::to_string(num_tensors));
  if (num_tensors == 0) return;
  require(numels != nullptr, "numels must not be NULL when num_tensors > 0");
  for (int64_t i = 0; i < num_tensors; ++i) {
    require(numels[i] >= 0, at("numels", i) + " must be >= 0, got " + std::to_string(numels[i]));
  }
}

template <typename Ptr>
void check_pointer_array(Ptr const* array, const char* name, const int64_t* numels, int64_t num_tensors) {
  require(array != nullptr, std::string(name) + " must not be NULL when num_tensors > 0");
  for (int64_t i = 0; i < num_tensors; ++i) {
    require(numels[i] == 0 || array[i] != nullptr,
            at(name, i) + " is NULL for a tensor of " + std::to_string(numels[i]) + " elements");
  }
}

}  // namespace

void validate(const exprbert_grad_norm_params* p) {
  require(p != nullptr, "params must not be NULL");
  check_numels(p->numels, p->num_tensors);
  check_grad_dtype(p->grad_dtype);
  check_device(p->device);
  require(p->total_norm != nullptr, "total_norm (output) must not be NULL");
  require(!std::isnan(p->max_norm), "max_norm must be a number, got nan");
  require(p->num_threads >= 0, "num_threads must be >= 0 (0 = all cores), got " + std::to_string(p->num_threads));
  if (p->num_tensors > 0) check_pointer_array(p->grads, "grads", p->numels, p->num_tensors);
  if (p->device >= 0) {
    require(p->workspace != nullptr, "workspace must not be NULL for a CUDA call (EXPRBERT_GRAD_NORM_WORKSPACE_BYTES)");
    require(p->workspace_bytes >= EXPRBERT_GRAD_NORM_WORKSPACE_BYTES,
            "workspace_bytes must be >= " + std::to_string(EXPRBERT_GRAD_NORM_WORKSPACE_BYTES) + ", got " +
                std::to_string(p->workspace_bytes));
  }
}

void validate(const exprbert_adamw_params* p) {
  require(p != nullptr, "params must not be NULL");
  check_numels(p->numels, p->num_tensors);
  require(is_known_dtype(p->param_dtype),
          "param_dtype must be an exprbert_dtype (0 = f32, 1 = f16, 2 = bf16), got " + std::to_string(p->param_dtype));
  check_grad_dtype(p->grad_dtype);
  check_device(p->device);
  require(p->step != nullptr, "step must not be NULL (it holds the number of updates applied so far)");
  require(p->num_threads >= 0, "num_threads must be >= 0 (0 = all cores), got " + std::to_string(p->num_threads));
  require(p->beta1 >= 0.0 && p->beta1 < 1.0, "beta1 must be in [0, 1), got " + std::to_string(p->beta1));
  require(p->beta2 >= 0.0 && p->beta2 < 1.0, "beta2 must be in [0, 1), got " + std::to_string(p->beta2));
  require(p->eps > 0.0 && std::isfinite(p->eps), "eps must be finite and > 0, got " + std::to_string(p->eps));
  if (p->lr_device == nullptr) {
    require(std::isfinite(p->lr) && p->lr >= 0.0, "lr must be finite and >= 0, got " + std::to_string(p->lr));
  }
  if (p->num_tensors == 0) return;
  check_pointer_array(p->params, "params", p->numels, p->num_tensors);
  check_pointer_array(p->grads, "grads", p->numels, p->num_tensors);
  check_pointer_array(p->exp_avg, "exp_avg", p->numels, p->num_tensors);
  check_pointer_array(p->exp_avg_sq, "exp_avg_sq", p->numels, p->num_tensors);
  if (p->param_dtype == EXPRBERT_DTYPE_F32) {
    require(p->master == nullptr, "master must be NULL when param_dtype is f32 (the parameters are the fp32 weights)");
  } else {
    require(p->master != nullptr, std::string("master (fp32 master weights) must be given when param_dtype is ") +
                                      dtype_name(p->param_dtype));
    check_pointer_array(p->master, "master", p->numels, p->num_tensors);
  }
  require(p->num_groups > 0, "num_groups must be > 0 when num_tensors > 0, got " + std::to_string(p->num_groups));
  require(p->group_index != nullptr, "group_index must not be NULL when num_tensors > 0");
  require(p->group_lr_scale != nullptr, "group_lr_scale must not be NULL when num_tensors > 0");
  require(p->group_weight_decay != nullptr, "group_weight_decay must not be NULL when num_tensors > 0");
  for (int32_t g = 0; g < p->num_groups; ++g) {
    require(std::isfinite(p->group_lr_scale[g]) && p->group_lr_scale[g] >= 0.0,
            at("group_lr_scale", g) + " must be finite and >= 0, got " + std::to_string(p->group_lr_scale[g]));
    require(std::isfinite(p->group_weight_decay[g]) && p->group_weight_decay[g] >= 0.0,
            at("group_weight_decay", g) + " must be finite and >= 0, got " + std::to_string(p->group_weight_decay[g]));
  }
  for (int64_t i = 0; i < p->num_tensors; ++i) {
    require(p->group_index[i] >= 0 && p->group_index[i] < p->num_groups,
            at("group_index", i) + " must be in [0, " + std::to_string(p->num_groups) + "), got " +
                std::to_string(p->group_index[i]));
  }
}

}  // namespace exprbert
