#!/usr/bin/env python3
"""The BERT configurations the GPU checks train from random initialisation (one source for the Java side, the
CPU reference and the Hugging Face side): all-MiniLM-L6-v2's shape and bert-base's, with the
bert-base-uncased WordPiece vocabulary of the staged tokenizer.

Usage: model_configs.py NAME [--no-dropout]      NAME: minilm | bert-base; prints config.json
The parity runs use --no-dropout: dropout draws from the device's generator, so CPU and GPU would
differ from the first step; without it the first steps' losses must agree to float rounding.
"""
import json
import sys

SHAPES = {
    "minilm": {"hidden_size": 384, "num_hidden_layers": 6, "num_attention_heads": 12, "intermediate_size": 1536},
    "bert-base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
}


def config(name, dropout=True):
    if name not in SHAPES:
        raise SystemExit(f"unknown model '{name}': expected one of {sorted(SHAPES)}")
    p = 0.1 if dropout else 0.0
    c = {"architectures": ["BertForTokenClassification"], "model_type": "bert", "vocab_size": 30522,
         "hidden_act": "gelu", "hidden_dropout_prob": p, "attention_probs_dropout_prob": p,
         "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
         "pad_token_id": 0, "position_embedding_type": "absolute"}
    c.update(SHAPES[name])
    return c


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    print(json.dumps(config(sys.argv[1], "--no-dropout" not in sys.argv[2:]), indent=1, sort_keys=True))
