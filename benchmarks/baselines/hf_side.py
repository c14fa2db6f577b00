#!/usr/bin/env python3
"""The Hugging Face side of benchmarks/baselines/run.sh: what users actually run, on the same data as ExprBERT.

  hf_side.py order   --data TRAIN.conll --batch B --steps N --out ORDER.json
      the batches both sides train on: sentence indices of TRAIN.conll shuffled with seed 42, cut into N batches of B.
  hf_side.py head    --model MINILM_DIR --data TRAIN.conll --out DIR
      MINILM_DIR + a token-classification head for TRAIN.conll's labels (seed 42), saved as a Hugging Face directory
      with tokenizer.json: the model both sides start from.
  hf_side.py train   --model DIR --data TRAIN.conll --order ORDER.json --warmup W --threads T
      transformers' Trainer (attn_implementation sdpa, optim adamw_torch, DataCollatorForTokenClassification padding
      to the batch's longest, run_ner's first-sub-token labels), on ORDER's batches in order; one JSON line with the
      median ms per optimizer step after W warm-up steps.
  hf_side.py seed    --model DIR --data TRAIN.conll --out DIR [--lr 2e-5] [--epochs 5] [--batch 8] [--threads T]
      the full seed task as run_ner runs it: transformers' Trainer (sdpa, adamw_torch, linear schedule, seed 42,
      DataCollatorForTokenClassification) over every train sentence for --epochs, then save_model to --out (with
      tokenizer.json) so the same evaluator scores both sides; --threads 0 keeps torch's own thread count.
  hf_side.py infer   --onnx MODEL.onnx --model DIR --data DEV.conll --batch B --passes P --threads T
      ONNX Runtime (CPU, all graph optimisations) on DEV.conll, tokenisation included, padded batches of B in file
      order; one JSON line with the median ms per pass over the dev set.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gpu", "stage"))
from e2e_hf import featurize, read_conll  # noqa: E402  (run_ner's preprocessing, as the GPU anchor does it)


def order(a):
    n = len(read_conll(a.data))
    idx = list(range(n))
    random.Random(42).shuffle(idx)
    batches = [idx[i * a.batch:(i + 1) * a.batch] for i in range(a.steps)]
    json.dump({"batch": a.batch, "batches": batches}, open(a.out, "w"))


def head(a):
    import shutil
    import torch
    from transformers import BertForTokenClassification
    labels = sorted({t for _, tags in read_conll(a.data) for t in tags})
    torch.manual_seed(42)
    model = BertForTokenClassification.from_pretrained(a.model, num_labels=len(labels),
                                                       id2label=dict(enumerate(labels)),
                                                       label2id={l: i for i, l in enumerate(labels)})
    model.save_pretrained(a.out, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        try:
            shutil.copy(f"{a.model}/{name}", f"{a.out}/{name}")
        except FileNotFoundError:
            pass


def tokenizer_of(model_dir):
    from transformers import PreTrainedTokenizerFast
    return PreTrainedTokenizerFast(tokenizer_file=f"{model_dir}/tokenizer.json", unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"])


def train(a):
    import torch
    torch.set_num_threads(a.threads)
    import transformers
    from transformers import (BertForTokenClassification, DataCollatorForTokenClassification, Trainer,
                              TrainerCallback, TrainingArguments)
    sentences = read_conll(a.data)
    plan = json.load(open(a.order))
    tok = tokenizer_of(a.model)
    model = BertForTokenClassification.from_pretrained(a.model, attn_implementation="sdpa")
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    rows = featurize([sentences[i] for batch in plan["batches"] for i in batch], tok, labels)

    class InOrder(Trainer):
        def _get_train_sampler(self, *args, **kwargs):
            return torch.utils.data.SequentialSampler(self.train_dataset)

    times = []

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            times.append((time.perf_counter() - self.t0) * 1e3)

    import tempfile
    args = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="hf-side-"), per_device_train_batch_size=plan["batch"],
                             max_steps=len(plan["batches"]), learning_rate=5e-5, optim="adamw_torch",
                             logging_strategy="no", save_strategy="no", report_to=[], seed=42, disable_tqdm=True,
                             dataloader_num_workers=0, use_cpu=True)
    trainer = InOrder(model=model, args=args, train_dataset=rows,
                      data_collator=DataCollatorForTokenClassification(tok), callbacks=[Clock()])
    trainer.train()
    measured = times[a.warmup:]
    print(json.dumps({"side": "hf-trainer", "threads": a.threads, "batch": plan["batch"], "steps": len(measured),
                      "median_ms": statistics.median(measured), "min_ms": min(measured),
                      "torch": torch.__version__, "transformers": transformers.__version__}))


def seed(a):
    import shutil
    import torch
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    import transformers
    from transformers import BertForTokenClassification, DataCollatorForTokenClassification, Trainer, TrainingArguments
    tok = tokenizer_of(a.model)
    model = BertForTokenClassification.from_pretrained(a.model, attn_implementation="sdpa")
    labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
    rows = featurize(read_conll(a.data), tok, labels)
    args = TrainingArguments(output_dir=a.out, per_device_train_batch_size=a.batch, num_train_epochs=a.epochs,
                             learning_rate=a.lr, lr_scheduler_type="linear", optim="adamw_torch", seed=42,
                             logging_strategy="no", save_strategy="no", eval_strategy="no", report_to=[],
                             disable_tqdm=True, dataloader_num_workers=0, use_cpu=True)
    trainer = Trainer(model=model, args=args, train_dataset=rows, data_collator=DataCollatorForTokenClassification(tok))
    t0 = time.perf_counter()
    result = trainer.train()
    train_s = time.perf_counter() - t0
    trainer.save_model(a.out)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        if os.path.exists(f"{a.model}/{name}"):
            shutil.copy(f"{a.model}/{name}", f"{a.out}/{name}")
    print(json.dumps({"side": "hf-trainer", "threads": torch.get_num_threads(), "steps": result.global_step,
                      "train_loss": result.training_loss, "train_loop_s": train_s, "torch": torch.__version__,
                      "transformers": transformers.__version__}))


def infer(a):
    import numpy as np
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = a.threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(a.onnx, opts, providers=["CPUExecutionProvider"])
    tok = tokenizer_of(a.model)
    sentences = [w for w, _ in read_conll(a.data)]

    def one_pass():
        tagged = 0
        for i in range(0, len(sentences), a.batch):
            enc = tok(sentences[i:i + a.batch], is_split_into_words=True, truncation=True, max_length=512,
                      padding=True, return_tensors="np")
            feeds = {k: enc[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
            logits = session.run(None, feeds)[0]
            tagged += int(logits.argmax(-1).size)
        return tagged

    one_pass()  # warm-up
    times = []
    for _ in range(a.passes):
        t0 = time.perf_counter()
        one_pass()
        times.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"side": "onnxruntime", "threads": a.threads, "batch": a.batch, "sentences": len(sentences),
                      "passes": a.passes, "median_ms": statistics.median(times), "min_ms": min(times),
                      "onnxruntime": ort.__version__}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["order", "head", "train", "seed", "infer"])
    p.add_argument("--data")
    p.add_argument("--model")
    p.add_argument("--onnx")
    p.add_argument("--out")
    p.add_argument("--order")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=12)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--epochs", type=float, default=5)
    a = p.parse_args()
    {"order": order, "head": head, "train": train, "seed": seed, "infer": infer}[a.what](a)


if __name__ == "__main__":
    sys.exit(main())
