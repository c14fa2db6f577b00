#!/usr/bin/env python3
"""The Hugging Face side of the end-to-end anchor (e2e.sh): transformers' Trainer fine-tuning a randomly
initialised BERT token classifier on OpeNER_en train, timed like `exprbert train` is.

For each entry of the grid (a JSON list of {"model", "batch", "group_by_length", "collator"}) in one process:
Trainer with attn_implementation="sdpa", optim="adamw_torch_fused", bf16 (GPU; --no-bf16 turns it off),
the run_ner preprocessing (first sub-token labelled, -100 elsewhere, no truncation below 512), WARMUP + MEASURE
optimizer steps; real tokens per second over the MEASURE steps (non-padding tokens the model consumed, counted
on the device without a sync per step), and the CUDA caching allocator's peak allocated/reserved bytes
(torch.cuda.max_memory_*, the counters GpuProbe reads on the Java side).
collator "padded": DataCollatorForTokenClassification (pads to the longest sentence of the batch);
collator "flatten": DataCollatorWithFlattening (packed, position ids restart per sentence). It runs only with an
attention that honours the sequence boundaries: transformers' BERT with sdpa or eager attends across the packed
sentences (checked here before use on a tiny model), so flatten needs flash_attention_2 (the flash_attn package);
otherwise the entry is reported as not run with the reason.
One JSON line per entry is appended to --out as it finishes, so a timeout keeps what ran.

Usage: e2e_hf.py --data TRAIN.conll --tokenizer tokenizer.json --grid GRID.json --out RESULTS.jsonl
                 [--device cuda|cpu] [--warmup N] [--measure N] [--no-bf16] [--budget-s S]
"""
import argparse
import gc
import inspect
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_configs  # noqa: E402


def read_conll(path):
    sentences, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                words, tags = [], []
                continue
            cols = line.split("\t") if "\t" in line else line.split()
            words.append(cols[0])
            tags.append(cols[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def featurize(sentences, tokenizer, labels):
    label_id = {l: i for i, l in enumerate(labels)}
    feats = []
    for words, tags in sentences:
        enc = tokenizer(words, is_split_into_words=True, truncation=True, max_length=512)
        prev, lab = None, []
        for w in enc.word_ids():
            lab.append(-100 if w is None or w == prev else label_id[tags[w]])
            prev = w
        feats.append({"input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
                      "attention_mask": enc["attention_mask"], "labels": lab})
    return feats


class ListDataset:
    """A map-style dataset over dicts; LengthGroupedSampler reads input_ids lengths from it."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def packing_respects_boundaries(torch, transformers, attn):
    """True when attn_implementation `attn` keeps packed sentences apart (a tiny random BERT, on the CPU)."""
    cfg = transformers.BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                  intermediate_size=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    try:
        model = transformers.BertForTokenClassification._from_config(cfg, attn_implementation=attn).eval()
        collator = transformers.DataCollatorWithFlattening(return_flash_attn_kwargs=True)
    except Exception as e:  # noqa: BLE001 (ImportError for flash_attn, TypeError on an old transformers)
        return False, f"{type(e).__name__}: {str(e)[:160]}"
    dev = "cuda" if attn.startswith("flash") else "cpu"
    model.to(dev)
    a = {"input_ids": [2, 5, 6, 7, 3]}
    outs = []
    with torch.no_grad(), torch.autocast(dev, dtype=torch.bfloat16, enabled=dev == "cuda"):
        for other in ([2, 9, 3], [2, 50, 60, 61, 62, 3]):
            batch = collator([a, {"input_ids": other}])
            batch.pop("labels", None)
            batch = {k: v.to(dev) if hasattr(v, "to") else v for k, v in batch.items()}
            outs.append(model(**batch).logits[0, :5].float())
    diff = (outs[0] - outs[1]).abs().max().item()
    return diff == 0.0, f"logits of a packed sentence change by {diff:.3g} with its neighbour"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--grid", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--measure", type=int, default=20)
    p.add_argument("--no-bf16", action="store_true")
    p.add_argument("--budget-s", type=float, default=1e9)
    a = p.parse_args()
    started = time.time()

    import torch
    import transformers
    from transformers import (BertConfig, BertForTokenClassification, DataCollatorForTokenClassification,
                              PreTrainedTokenizerFast, Trainer, TrainerCallback, TrainingArguments)

    def emit(entry):
        with open(a.out, "a") as f:
            f.write(json.dumps(entry) + "\n")
        print("hf:", json.dumps(entry), flush=True)

    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        raise SystemExit("e2e_hf: --device cuda but torch.cuda.is_available() is False")
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=a.tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                        model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    sentences = read_conll(a.data)
    labels = sorted({t for _, tags in sentences for t in tags})
    feats = featurize(sentences, tokenizer, labels)
    env = {"torch": torch.__version__, "transformers": transformers.__version__,
           "gpu": torch.cuda.get_device_name(0) if cuda else None, "sentences": len(feats),
           "tokens_per_sentence_mean": sum(len(f["input_ids"]) for f in feats) / len(feats)}
    emit({"kind": "environment", **env})
    flatten_attn, flatten_why = None, None
    for attn in ("flash_attention_2", "sdpa"):
        ok, why = packing_respects_boundaries(torch, transformers, attn) if (cuda or attn == "sdpa") else (False, "CPU")
        if ok:
            flatten_attn = attn
            break
        flatten_why = (flatten_why + "; " if flatten_why else "") + f"{attn}: {why}"

    class CountingTrainer(Trainer):
        """Counts the tokens each optimizer step consumes, on the device (no host sync per step)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.real_tokens = None
            self.computed_tokens = None

        def training_step(self, model, inputs, *rest, **kw):
            ids = inputs["input_ids"]
            real = inputs["attention_mask"].sum() if "attention_mask" in inputs else ids.new_tensor(ids.numel())
            computed = ids.new_tensor(ids.numel())
            self.real_tokens = real if self.real_tokens is None else self.real_tokens + real
            self.computed_tokens = computed if self.computed_tokens is None else self.computed_tokens + computed
            return super().training_step(model, inputs, *rest, **kw)

    class Window(TrainerCallback):
        def __init__(self, trainer_ref, warmup):
            self.t, self.warmup, self.t0, self.tok0 = trainer_ref, warmup, None, None

        def on_step_end(self, args, state, control, **kw):
            if state.global_step == self.warmup:
                if cuda:
                    torch.cuda.synchronize()
                self.t0 = time.perf_counter()
                tr = self.t[0]
                self.tok0 = (tr.real_tokens.clone(), tr.computed_tokens.clone())

    with open(a.grid) as f:
        grid = json.load(f)
    for entry in grid:
        key = {k: entry[k] for k in ("model", "batch", "group_by_length", "collator")}
        if time.time() - started > a.budget_s:
            emit({"kind": "hf", **key, "not_run": "time budget spent"})
            continue
        attn = "sdpa"
        if entry["collator"] == "flatten":
            if flatten_attn is None:
                emit({"kind": "hf", **key, "not_run": "no attention keeps packed sentences apart: " + str(flatten_why)})
                continue
            attn = flatten_attn
        torch.manual_seed(42)
        cfg = BertConfig(**{k: v for k, v in model_configs.config(entry["model"]).items()
                            if k not in ("architectures", "model_type")},
                         num_labels=len(labels), id2label=dict(enumerate(labels)),
                         label2id={l: i for i, l in enumerate(labels)})
        model = BertForTokenClassification._from_config(cfg, attn_implementation=attn)
        bf16 = not a.no_bf16
        out_dir = tempfile.mkdtemp(prefix="e2e-hf-")
        kwargs = dict(output_dir=out_dir, per_device_train_batch_size=entry["batch"],
                      max_steps=a.warmup + a.measure, learning_rate=5e-5, optim="adamw_torch_fused", bf16=bf16,
                      logging_strategy="no", save_strategy="no",
                      report_to=[], seed=42, disable_tqdm=True, dataloader_num_workers=0)
        params = inspect.signature(TrainingArguments.__init__).parameters
        if "train_sampling_strategy" in params:  # transformers 5
            kwargs["train_sampling_strategy"] = "group_by_length" if entry["group_by_length"] else "random"
        else:
            kwargs["group_by_length"] = bool(entry["group_by_length"])
        if not cuda:
            kwargs["use_cpu"] = True
        try:
            args = TrainingArguments(**kwargs)
        except TypeError:  # transformers < 4.36 has no use_cpu
            kwargs.pop("use_cpu", None)
            kwargs["no_cuda"] = not cuda
            args = TrainingArguments(**kwargs)
        if entry["collator"] == "flatten":
            collator = transformers.DataCollatorWithFlattening(return_flash_attn_kwargs=attn.startswith("flash"))
            data = ListDataset([{"input_ids": f["input_ids"], "labels": f["labels"]} for f in feats])
        else:
            collator = DataCollatorForTokenClassification(tokenizer)
            data = ListDataset(feats)
        holder = []
        trainer = CountingTrainer(model=model, args=args, train_dataset=data, data_collator=collator)
        holder.append(trainer)
        window = Window(holder, a.warmup)
        trainer.add_callback(window)
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        t_start = time.perf_counter()
        try:
            trainer.train()
        except Exception as e:  # noqa: BLE001 (reported, the grid goes on)
            emit({"kind": "hf", **key, "attn_implementation": attn, "error": f"{type(e).__name__}: {str(e)[:300]}"})
            del trainer, model
            gc.collect()
            continue
        if cuda:
            torch.cuda.synchronize()
        t_end = time.perf_counter()
        real = (trainer.real_tokens - window.tok0[0]).item()
        computed = (trainer.computed_tokens - window.tok0[1]).item()
        seconds = t_end - window.t0
        result = {"kind": "hf", **key, "attn_implementation": attn, "bf16": bf16, "steps_measured": a.measure,
                  "warmup_steps": a.warmup, "seconds_measured": round(seconds, 4), "real_tokens": int(real),
                  "computed_tokens": int(computed), "real_tokens_per_s": round(real / seconds, 1),
                  "seconds_total": round(t_end - t_start, 2)}
        if cuda:
            result["peak_allocated_bytes"] = torch.cuda.max_memory_allocated()
            result["peak_reserved_bytes"] = torch.cuda.max_memory_reserved()
        emit(result)
        del trainer, model, holder, window
        gc.collect()


if __name__ == "__main__":
    main()
