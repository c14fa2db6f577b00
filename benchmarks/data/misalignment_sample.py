#!/usr/bin/env python3
"""A real-text sample for the span readers' misalignment report: WNUT-17's tokenised tweets as raw text.

convert-data writes a CoNLL file as span JSON Lines with its words joined by single spaces, so every span aligns.
Annotation tools hold raw text instead ("Blvd.", "can't", "(Compton)"), where a word splitter sees other word
boundaries than the corpus's tokeniser did. This joins the words back as text is usually written (no space before
closing punctuation and clitics, none after opening brackets), carries every span's code-point offsets along, and
writes the result in the same JSON Lines schema. Reading it back with `convert-data --to conll` then reports each
span that no longer falls on word boundaries.

Usage: exprbert convert-data --in wnut17/dev.conll --out dev.spans.jsonl --to spans
       misalignment_sample.py dev.spans.jsonl raw.jsonl
       exprbert convert-data --in raw.jsonl --out raw.conll --to conll     (the report goes to stderr)
"""
import json
import sys

NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "]", "%", "'", "’", "´", "'s", "'m", "'re", "'ve", "'ll", "'d",
                   "n't", "s", "m", "re", "ve", "ll", "d", "t"}
NO_SPACE_AFTER = {"(", "[", "$", "#", "@"}


def rejoin(record):
    words = record["text"].split(" ")
    old_start = []
    at = 0
    for w in words:
        old_start.append(at)
        at += len(w) + 1
    new_start, text, prev = [], "", None
    for i, w in enumerate(words):
        glue = i > 0 and (w in NO_SPACE_BEFORE and prev not in (None,) and not (w in {"s", "m", "re", "ve", "ll", "d", "t"}
                                                                          and prev not in {"'", "’", "´"})
                          or prev in NO_SPACE_AFTER)
        if i > 0 and not glue:
            text += " "
        new_start.append(len(text))
        text += w
        prev = w
    moved = {old: new for old, new in zip(old_start, new_start)}
    ends = {old + len(w): new + len(w) for old, new, w in zip(old_start, new_start, words)}
    spans = [{"start": moved[s["start"]], "end": ends[s["end"]], "label": s["label"]} for s in record["spans"]]
    for s in spans:
        s["text"] = text[s["start"]:s["end"]]
    return {"text": text, "spans": spans}


with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        out.write(json.dumps(rejoin(json.loads(line)), ensure_ascii=False) + "\n")
