"""What transformers' fast tokenizers give for the golden test words and texts (golden.json of each test tokenizer),
and the OpeNER sentences the test tokenizers are trained on; shared by make_test_tokenizers.py and
make_modernbert_tokenizer.py. See make_test_tokenizers.py for what the golden data holds.
"""
import glob
import os


def opener_sentences(opener):
    """The sentences of OPENER_DIR/*/train.conll, words joined by single spaces."""
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
