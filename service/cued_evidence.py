"""Evidence of the readings whose LABELS.md cues fired: the phrase that fired a cue stands as a
term of its own (or adds to the word it is), beside the words.

`evidence.evidence_all` chooses every other reading's terms for the whole batch at once; the
few readings a cue fired on go through here, one by one.
"""

from __future__ import annotations

import numpy as np

from .placing import group, per_reading, terms_json, terms_of
from .reading import WordBatch, readable

__all__ = ["cued_evidence"]


def cued_evidence(batch: WordBatch, attributions, words, sums, read, ok, k, which, render):
    """`evidence` of the readings whose cues fired (a few per batch): a fired cue shows as
    the phrase that fired it, a word's or a phrase of its own, chosen after the words on a tie."""
    edges = np.searchsorted(batch.pair_doc, np.arange(len(batch.offsets)))
    chosen: list[tuple[int, str]] = []  # (reading, term)
    docs, starts, sizes, weights, numbers, again = [], [], [], [], [], []
    for i in which.tolist():
        reading, cues = batch.readings[i], attributions[i].cues
        lo, hi, first = int(edges[i]), int(edges[i + 1]), int(batch.offsets[i])
        score = sums[lo:hi].copy()
        extra: dict[str, list[tuple[int, float]]] = {}
        for _cue, a, b, c in cues:
            extra.setdefault(reading.text[a:b], []).append((a, c))
        added = []
        pairs = batch.pair_id[lo:hi]  # the reading's distinct words (no scan of its word list)
        for phrase, places in extra.items():
            total = sum(c for _, c in places)
            number = batch.table.index.get(phrase, -1)
            found = np.flatnonzero(pairs == number) if number >= 0 else ()
            if len(found):  # a word of the reading: its pair's score
                score[found[0]] += total
            else:
                added.append((phrase, total))
        scores = np.concatenate([score, [t for _, t in added]])
        places = np.concatenate([batch.pair_first[lo:hi], len(batch.doc) + np.arange(len(added))])
        phrases_ok = np.fromiter((readable(w) for w, _ in added), bool, len(added))
        wanted = np.concatenate([ok[batch.pair_id[lo:hi]], phrases_ok])
        ranked = np.flatnonzero((scores > 0) & wanted)
        ranked = ranked[np.lexsort((places[ranked], -scores[ranked]))][:k]  # ties: text order,
        end = int(batch.offsets[i + 1])  # then the phrases
        for j in ranked.tolist():
            word = batch.names[pairs[j]] if j < hi - lo else added[j - hi + lo][0]
            number = len(chosen)
            chosen.append((i, word))
            at = []
            if j < hi - lo:  # a word of the reading: its places the model read, in text order
                mine = batch.pair[first:end] == lo + j
                at = (np.flatnonzero(mine & read[first:end]) + first).tolist()
            ours = zip(batch.starts[at].tolist(), words[at].tolist(), strict=True)
            seen = set()
            for a, w in [*ours, *extra.get(word, [])]:
                docs.append(i)
                starts.append(a)
                sizes.append(len(word))
                weights.append(w)
                numbers.append(number)
                again.append(a in seen)  # a span once, however many places start there
                seen.add(a)
    if not chosen:
        return []
    as_array = (
        np.asarray(docs, np.int64),
        np.asarray(starts, np.int64),
        np.asarray(sizes, np.int64),
    )
    part, _, span = batch.layout.place(*as_array)
    span[np.asarray(again, bool)] = -1
    placed = group(np.asarray(numbers, np.int64), part, span, np.asarray(weights, np.float64))
    make = terms_json if render else terms_of
    terms = make(placed, [w for _, w in chosen], labels=[attributions[i].label for i, _ in chosen])
    doc_of = np.asarray([i for i, _ in chosen], np.int64)[placed.term]
    bounds = np.searchsorted(doc_of, which).tolist() + [len(terms)]
    return list(zip(which.tolist(), per_reading(terms, bounds, render), strict=True))
