"""Writes hf_argument_names.json: the Hugging Face argument names a run_ner.py command line can hold.

HfArgumentTableTest checks that `exprbert train` accepts each of them or refuses it with a reason.

Sources:
- TrainingArguments: the init fields of the installed transformers (this file was made with 5.18.0), read with
  dataclasses.fields, so a newer transformers regenerates the list.
- ModelArguments and DataTrainingArguments: the dataclasses of examples/pytorch/token-classification/run_ner.py in
  huggingface/transformers (commit 049d2bf1220747b6d39e2a978b9f5fe0defa1dca, the script pinned to
  transformers==5.8.0). The examples are not part of the installed package, so the names are listed here; compare
  them with that file when updating.
- Older names: TrainingArguments fields of transformers 4.x that 5.x removed or renamed, still common in pasted
  run_ner commands and config files.

Run with a Python that has transformers installed:
    python make_hf_argument_names.py > hf_argument_names.json
"""

import dataclasses
import json

import transformers
from transformers import TrainingArguments

MODEL_ARGUMENTS = [
    "model_name_or_path", "config_name", "tokenizer_name", "cache_dir", "model_revision", "token",
    "trust_remote_code", "ignore_mismatched_sizes",
]

DATA_TRAINING_ARGUMENTS = [
    "task_name", "dataset_name", "dataset_config_name", "train_file", "validation_file", "test_file",
    "text_column_name", "label_column_name", "overwrite_cache", "preprocessing_num_workers", "max_seq_length",
    "pad_to_max_length", "max_train_samples", "max_eval_samples", "max_predict_samples", "label_all_tokens",
    "return_entity_level_metrics",
]

OLDER_TRAINING_ARGUMENTS = [
    "evaluation_strategy", "overwrite_output_dir", "logging_dir", "warmup_ratio", "group_by_length", "no_cuda",
    "per_gpu_train_batch_size", "per_gpu_eval_batch_size", "save_safetensors", "fp16_opt_level",
]


def main():
    training = [f.name for f in dataclasses.fields(TrainingArguments) if f.init]
    print(json.dumps({
        "format": 1,
        "transformers_version": transformers.__version__,
        "run_ner_commit": "049d2bf1220747b6d39e2a978b9f5fe0defa1dca",
        "model_arguments": MODEL_ARGUMENTS,
        "data_training_arguments": DATA_TRAINING_ARGUMENTS,
        "training_arguments": training,
        "older_training_arguments": OLDER_TRAINING_ARGUMENTS,
    }, indent=2))


if __name__ == "__main__":
    main()
