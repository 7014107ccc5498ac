"""Evidence terms and keywords as JSON: the one shape every door writes them in.

`terms_fields` gives the objects (the remote CLI, `analyse --json`); `objects_text` writes the
same objects' JSON text straight from a batch's columns, for the local CLI, which otherwise
made ≈ 15 Terms and 40 Spans per article only to turn them into dicts and then into text.
The text is `json.dumps(terms_fields(terms), ensure_ascii=False)` to the byte
(`tests/test_evidence.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring  # how json.dumps(ensure_ascii=False) quotes a str
from typing import Any

import numpy as np

from .documents import Term

__all__ = ["objects_text", "spans_text", "term_fields", "terms_fields", "terms_text"]


def term_fields(term: Term) -> dict[str, Any]:
    """One evidence term or keyword as JSON; the weight through float32, as the wire has it."""
    return terms_fields((term,))[0]


def terms_fields(terms: Sequence[Term]) -> list[dict[str, Any]]:
    """`term_fields` of each of `terms` (their weights through float32 in one numpy call)."""
    weights = np.asarray([t.weight for t in terms], dtype=np.float32).tolist()
    return [
        {"term": t.text, "weight": round(w, 6), "label": t.label, "field": t.field,
         "spans": [[s.start, s.end] for s in t.spans]}
        if t.label
        else {"term": t.text, "weight": round(w, 6), "field": t.field,
              "spans": [[s.start, s.end] for s in t.spans]}
        for t, w in zip(terms, weights, strict=True)
    ]  # fmt: skip


def spans_text(starts: Sequence[int], ends: Sequence[int], bounds: Sequence[int]) -> list[str]:
    """Per group (spans bounds[g]:bounds[g + 1]), its spans as JSON: [[start, end], …]."""
    each = [f"[{a}, {b}]" for a, b in zip(starts, ends, strict=True)]
    return ["[" + ", ".join(each[a:b]) + "]" for a, b in zip(bounds[:-1], bounds[1:], strict=False)]


def objects_text(
    texts: Sequence[str],
    weights: Sequence[float],
    fields: Sequence[str],
    spans: Sequence[str],
    labels: Sequence[str],
) -> list[str]:
    """The JSON text of each object `terms_fields` makes, from its columns (`spans`: from
    `spans_text`): the same keys in the same order, the weight rounded the same way."""
    rounded = np.asarray(weights, dtype=np.float32)
    if not np.isfinite(rounded).all():  # json writes these as NaN/Infinity, repr as nan/inf
        number = json.dumps
    else:
        number = float.__repr__  # what json.dumps writes a finite float with
    quoted: dict[str, str] = {}  # labels and fields: a handful per batch

    def quote(name: str) -> str:
        text = quoted.get(name)
        if text is None:
            text = quoted[name] = encode_basestring(name)
        return text

    return [
        f'{{"term": {encode_basestring(t)}, "weight": {number(round(w, 6))}, "label": '
        f'{quote(label)}, "field": {quote(f)}, "spans": {s}}}'
        if label
        else f'{{"term": {encode_basestring(t)}, "weight": {number(round(w, 6))}, "field": '
        f'{quote(f)}, "spans": {s}}}'
        for t, w, f, s, label in zip(texts, rounded.tolist(), fields, spans, labels, strict=True)
    ]


def terms_text(terms: Sequence[Term]) -> str:
    """`json.dumps(terms_fields(terms), ensure_ascii=False)`, by `objects_text`."""
    starts = [s.start for t in terms for s in t.spans]
    ends = [s.end for t in terms for s in t.spans]
    bounds = np.cumsum([0] + [len(t.spans) for t in terms]).tolist()
    objects = objects_text(
        [t.text for t in terms],
        [t.weight for t in terms],
        [t.field for t in terms],
        spans_text(starts, ends, bounds),
        [t.label for t in terms],
    )
    return "[" + ", ".join(objects) + "]"
