"""Builds the small ModernBERT-style tokenizer.json test resource and its golden alignment data.

Run (tokenizers 0.23 and transformers 5.18, e.g. the project's scratch venv):
    python make_modernbert_tokenizer.py OPENER_DIR OUT_DIR

modernbert-bpe/ is a byte-level BPE in the layout of answerdotai/ModernBERT-base's tokenizer.json: an NFC normalizer,
a ByteLevel pre-tokenizer without a prefix space, TemplateProcessing "[CLS] $A [SEP]", and the special tokens after
the learned vocabulary ([UNK], [CLS], [SEP], [PAD], [MASK]: ids 1000..1004 here, 50280..50284 in the real one),
tokenizer_config.json naming them with model_max_length 8192. It learns only a vocabulary from the OpeNER English
training sentences (no sentence is written out). It is saved through transformers (PreTrainedTokenizerFast, loaded
back with AutoTokenizer and saved again, as make_test_tokenizers.py does).

modernbert-bpe/golden.json: what transformers' fast tokenizer gives for the word lists and texts of the shared
golden.json (make_test_tokenizers.py's cases, read from that file so that both hold the same cases), in its format:
ids, tokens, word ids and offsets of the pre-split words, run_ner's aligned labels with label_all_tokens false and true,
and word ids and offsets of the raw texts (add_special_tokens=False). Pre-split words are encoded with the ByteLevel pre-tokenizer's add_prefix_space set, as ExprBERT encodes them for every
byte-level BPE (each word then starts with its space, as in running text): transformers 5 keeps add_prefix_space=True
from from_pretrained only for classes that rebuild their pipeline (RobertaTokenizer), not for ModernBERT's generic
tokenizer, so the golden tokenizer gets it set on its pre-tokenizer directly.
"""
import glob
import json
import os
import sys

import tokenizers
import transformers
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

opener, out = sys.argv[1], sys.argv[2]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json"), encoding="utf-8") as f:
    shared = json.load(f)
LABELS = shared["labels"]
CASES = shared["tokenizers"]["minilm-wordpiece"]  # every entry holds the same words, tags and texts


def opener_sentences():
    for path in sorted(glob.glob(os.path.join(opener, "*", "train.conll"))):
        with open(path, encoding="utf-8") as f:
            for block in f.read().split("\n\n"):
                words = [line.split("\t")[0] for line in block.split("\n") if line.strip()]
                if words:
                    yield " ".join(words)


def run_ner_labels(word_ids, tags, label_all_tokens):
    """run_ner.py's tokenize_and_align_labels: the word's label on its first piece, on the others -100 or (all) the
    I- label of a B- label."""
    ids = {label: i for i, label in enumerate(LABELS)}
    out, previous = [], None
    for word in word_ids:
        if word is None:
            out.append(-100)
        elif word != previous:
            out.append(ids[tags[word]])
        elif label_all_tokens:
            inside = tags[word].replace("B-", "I-")
            out.append(ids[inside] if inside in ids else ids[tags[word]])
        else:
            out.append(-100)
        previous = word
    return out


def golden(tokenizer):
    words_out = []
    for case in CASES["words"]:
        enc = tokenizer(case["words"], is_split_into_words=True, return_offsets_mapping=True)
        word_ids = enc.word_ids()
        words_out.append({"words": case["words"], "tags": case["tags"], "input_ids": enc["input_ids"],
                          "tokens": enc.tokens(), "word_ids": [-1 if w is None else w for w in word_ids],
                          "offsets": [list(o) for o in enc["offset_mapping"]],
                          "labels_first": run_ner_labels(word_ids, case["tags"], False),
                          "labels_all": run_ner_labels(word_ids, case["tags"], True)})
    texts_out = []
    for case in CASES["texts"]:
        enc = tokenizer(case["text"], add_special_tokens=False, return_offsets_mapping=True)
        texts_out.append({"text": case["text"], "tokens": enc.tokens(),
                          "word_ids": [-1 if w is None else w for w in enc.word_ids()],
                          "offsets": [list(o) for o in enc["offset_mapping"]]})
    return {"class": type(tokenizer).__name__, "words": words_out, "texts": texts_out}


bpe = Tokenizer(models.BPE(dropout=None, fuse_unk=False, byte_fallback=False))
bpe.normalizer = normalizers.NFC()
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(list(opener_sentences()), trainers.BpeTrainer(vocab_size=1000, min_frequency=2,
    show_progress=False, special_tokens=[], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
bpe.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]])
bpe.add_special_tokens([AddedToken("[MASK]", lstrip=True, special=True, normalized=False)])
cls, sep = bpe.token_to_id("[CLS]"), bpe.token_to_id("[SEP]")
bpe.post_processor = processors.TemplateProcessing(single="[CLS]:0 $A:0 [SEP]:0",
    pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
directory = os.path.join(out, "modernbert-bpe")
PreTrainedTokenizerFast(tokenizer_object=bpe, model_max_length=8192, unk_token="[UNK]", cls_token="[CLS]",
    sep_token="[SEP]", pad_token="[PAD]", mask_token="[MASK]", clean_up_tokenization_spaces=True,
    model_input_names=["input_ids", "attention_mask"]).save_pretrained(directory)
AutoTokenizer.from_pretrained(directory).save_pretrained(directory)

reference = AutoTokenizer.from_pretrained(directory)
reference.backend_tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, trim_offsets=True,
    use_regex=True)
result = {
    "generated_by": "make_modernbert_tokenizer.py",
    "tokenizers_version": tokenizers.__version__,
    "transformers_version": transformers.__version__,
    "labels": LABELS,
    "tokenizers": {"modernbert-bpe": golden(reference)},
}
with open(os.path.join(directory, "golden.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, ensure_ascii=False, indent=1)
    f.write("\n")
