"""Evidence of the readings whose LABELS.md cues fired: the phrase that fired a cue stands as a
term of its own (or adds to the word it is), beside the words.

`evidence.evidence_all` chooses every other reading's terms for the whole batch at once; the
few readings a cue fired on come here: their phrases looked up one by one, their terms chosen
and placed for all of them at once.
"""

from __future__ import annotations

import numpy as np

from .ngrams import flat_ranges
from .placing import group, per_reading, terms_json, terms_of
from .reading import WordBatch, readable

__all__ = ["cued_evidence"]


def cued_evidence(batch: WordBatch, attributions, words, sums, read, ok, k, which, render):
    """`evidence` of the readings whose cues fired (a few per batch): a fired cue shows as
    the phrase that fired it, a word's or a phrase of its own, chosen after the words on a tie."""
    edges = np.searchsorted(batch.pair_doc, np.arange(len(batch.offsets)))
    # The cued readings' pairs joined, reading by reading, and their scores with each fired
    # cue's phrase added to the word it is (a phrase that is no word of the reading: after).
    counts = edges[which + 1] - edges[which]
    pair_at = flat_ranges(edges[which], counts)
    score = sums[pair_at]
    firsts = (np.cumsum(counts) - counts).tolist()
    added: list[tuple[int, str, float]] = []  # (row, phrase, its cues' sum)
    extras: list[dict[str, list[tuple[int, float]]]] = []
    for row, i in enumerate(which.tolist()):
        reading, cues = batch.readings[i], attributions[i].cues
        extra: dict[str, list[tuple[int, float]]] = {}
        for _cue, a, b, c in cues:
            extra.setdefault(reading.text[a:b], []).append((a, c))
        pairs = batch.pair_id[edges[i] : edges[i + 1]]  # (no scan of its word list)
        for phrase, places in extra.items():
            total = sum(c for _, c in places)
            number = batch.table.index.get(phrase, -1)
            found = np.flatnonzero(pairs == number) if number >= 0 else ()
            if len(found):  # a word of the reading: its pair's score
                score[firsts[row] + found[0]] += total
            else:
                added.append((row, phrase, total))
        extras.append(extra)
    # Every reading's k best at once: by reading, score, then place (a word's first; the
    # phrases after the words, in the order they came).
    phrase_rows = np.fromiter((r for r, _, _ in added), np.int64, len(added))
    rows = np.concatenate([np.repeat(np.arange(len(which), dtype=np.int64), counts), phrase_rows])
    scores = np.concatenate([score, [t for _, _, t in added]])
    places = np.concatenate([batch.pair_first[pair_at], len(batch.doc) + np.arange(len(added))])
    phrases_ok = np.fromiter((readable(w) for _, w, _ in added), bool, len(added))
    wanted = np.concatenate([ok[batch.pair_id[pair_at]], phrases_ok])
    ranked = np.flatnonzero((scores > 0) & wanted)
    ranked = ranked[np.lexsort((places[ranked], -scores[ranked], rows[ranked]))]
    by_row = rows[ranked]
    ranked = ranked[np.arange(len(ranked)) - np.searchsorted(by_row, by_row) < k]
    chosen: list[tuple[int, str]] = []  # (reading, term)
    pair_of: list[int] = []  # per chosen term: its pair (-1: a phrase of its own)
    terms_extra: list[list[tuple[int, float]]] = []  # and its cues' places
    readings_of = which.tolist()
    for j in ranked.tolist():
        if j < len(pair_at):
            row, pair = int(rows[j]), int(pair_at[j])
            word = batch.names[batch.pair_id[pair]]
        else:
            row, word, _ = added[j - len(pair_at)]
            pair = -1
        chosen.append((readings_of[row], word))
        pair_of.append(pair)
        terms_extra.append(extras[row].get(word, []))
    if not chosen:
        return []
    # A word's places the model read, in text order: every chosen word's at once.
    mine = np.asarray(pair_of, np.int64)
    at, of = batch.grouped(mine[mine >= 0], read)
    cuts = np.searchsorted(of, np.arange(int((mine >= 0).sum()) + 1)).tolist()
    word_starts, word_weights = batch.starts[at].tolist(), words[at].tolist()
    docs, starts, sizes, weights, numbers, again = [], [], [], [], [], []
    q = 0  # the chosen words' number among them
    for number, ((i, word), pair, extra) in enumerate(
        zip(chosen, pair_of, terms_extra, strict=True)
    ):
        ours: list = []
        if pair >= 0:
            lo, hi = cuts[q], cuts[q + 1]
            ours = list(zip(word_starts[lo:hi], word_weights[lo:hi], strict=True))
            q += 1
        seen = set()
        for a, w in [*ours, *extra]:
            docs.append(i)
            starts.append(a)
            sizes.append(len(word))
            weights.append(w)
            numbers.append(number)
            again.append(a in seen)  # a span once, however many places start there
            seen.add(a)
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
