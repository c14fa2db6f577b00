"""Writes loss_fixture.json: PyTorch's cross_entropy on fixed logits, with class weights and label smoothing.

TokenClassificationLossTest checks TokenClassificationLoss (and its split into micro-batches with a shared
denominator, as gradient accumulation runs it) against these numbers. Any torch >= 1.10 (label_smoothing);
this file was made with 2.13.0+cpu:
    python make_loss_fixture.py > loss_fixture.json
"""

import json

import torch
import torch.nn.functional as F

NUM_LABELS = 5


def main():
    generator = torch.Generator().manual_seed(20261126)
    logits = (torch.randn(2, 6, NUM_LABELS, generator=generator) * 2).to(torch.float32)
    labels = torch.tensor([[-100, 0, 3, 3, 1, -100], [-100, 4, 0, 2, -100, -100]])
    cases = []
    for weights, smoothing in [(None, 0.0), ([0.5, 2.0, 1.0, 3.0, 0.25], 0.0), (None, 0.1),
                               ([0.5, 2.0, 1.0, 3.0, 0.25], 0.1), ([1.5, 0.0, 1.0, 4.0, 1.0], 0.2)]:
        weight = None if weights is None else torch.tensor(weights, dtype=torch.float32)
        x = logits.clone().requires_grad_(True)
        mean = F.cross_entropy(x.reshape(-1, NUM_LABELS), labels.reshape(-1), weight=weight,
                               label_smoothing=smoothing, ignore_index=-100)
        mean.backward()
        total = F.cross_entropy(logits.reshape(-1, NUM_LABELS), labels.reshape(-1), weight=weight,
                                label_smoothing=smoothing, ignore_index=-100, reduction="sum")
        cases.append({
            "weights": weights,
            "label_smoothing": smoothing,
            "mean": mean.item(),
            "sum": total.item(),
            "grad_of_mean": x.grad.reshape(-1).tolist(),
        })
    print(json.dumps({
        "format": 1,
        "torch_version": torch.__version__,
        "num_labels": NUM_LABELS,
        "shape": list(logits.shape),
        "logits": logits.reshape(-1).tolist(),
        "labels": labels.reshape(-1).tolist(),
        "cases": cases,
    }, indent=1))


if __name__ == "__main__":
    main()
