"""Extractive leads (导语): whole sentences of the article, so a lead never says more.

The pieces: `service.lead_units` (which sentences, and which cuts keep a sentence whole),
`service.lead_features` (what each candidate looks like), and here the weights, the budget
and the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from service.documents import Lead, Span
from service.errors import InvalidInput
from service.lead_features import FEATURES, Candidates, candidates_all
from service.lead_features import candidates as _candidates

# The lead limits' one home is service.validation (server, CLI and batch check through it).
from service.validation import MAX_LEAD_CHARS as MAX_CHARS
from service.validation import MAX_LEAD_SENTENCES as MAX_SENTENCES
from service.validation import MAX_SUMMARY_TEXT_CHARS as MAX_TEXT_CHARS
from service.validation import check_lead_options, check_text

__all__ = [
    "lead",
    "leads",
    "check_lead_options",
    "Weights",
    "FEATURES",
    "Candidates",
    "candidates",
    "DEFAULT_WEIGHTS",
    "LABEL_WEIGHTS",
    "DEFAULT_MAX_SENTENCES",
    "DEFAULT_MAX_CHARS",
    "HARD_MAX_CHARS",
    "MAX_SENTENCES",
    "MAX_CHARS",
    "MAX_TEXT_CHARS",
    "no_fit",
    "no_fit_note",
]

DEFAULT_MAX_SENTENCES = 2  # a lead is one or two sentences
# The default budget is soft: what fits a lead slot. A lead of one sentence may run past it,
# up to HARD_MAX_CHARS, rather than stop mid-sentence; a caller's own max_chars is hard.
DEFAULT_MAX_CHARS = 120
HARD_MAX_CHARS = 160


@dataclass(frozen=True)
class Weights:
    """Scoring weights over the candidate features (FEATURES), one set per desk label."""

    # Fitted by training.summaries.fit_weights (ridge 0.1, sharpness 10) on the tune splits
    # only: briefs of 2014-2017 and 核心阅读 articles of 2019-10 and 2020-01 (docs/summaries.md).
    # `over` and `redundancy` were chosen on the same splits (a grid over 0-3 and 0-0.3).
    coef: tuple[float, ...] = (
        0.0811,
        0.0678,
        -0.1681,
        0.1561,
        0.5575,
        0.1016,
        -0.0729,
        0.2478,
        -0.0368,
        -0.0081,
        0.084,
    )
    target: int = 40  # characters: a one-sentence brief
    redundancy: float = 0.0  # MMR: weight of similarity to what was already picked
    over: float = 0.05  # default budget: score lost per budget's worth of characters over it


DEFAULT_WEIGHTS = Weights()
# Commentary argues a thesis, usually echoed by the headline and restated through the piece:
# the opening matters less, the title and centrality more, and a thesis may be longer.
# (No briefs exist for commentary; these scale the fitted weights, checked by reading.)
_COMMENTARY = {
    "first_sentence": 0.2,
    "second_sentence": 0.2,
    "title_cosine": 2.0,
    "title_chars": 1.5,
    "centrality": 2.0,
    "length_gap": 0.5,
}
LABEL_WEIGHTS: dict[str, Weights] = {
    "commentary": replace(
        DEFAULT_WEIGHTS,
        target=60,
        coef=tuple(
            c * _COMMENTARY.get(f, 1.0) for c, f in zip(DEFAULT_WEIGHTS.coef, FEATURES, strict=True)
        ),
    )
}
_DUPLICATE = 0.7  # cosine above which a second unit only repeats the first
# How an empty lead says that every candidate sentence ran past the limit (`no_fit` reads it).
_NO_FIT = "no lead: no whole sentence near the top fits in "


def no_fit(warnings) -> bool:
    """Whether a lead's `warnings` (a record's, locally or from a server) say it is empty
    because no whole sentence fits the character limit: the one empty lead a caller can mend."""
    return bool(warnings) and isinstance(warnings[0], str) and warnings[0].startswith(_NO_FIT)


def no_fit_note(empty: int, leads: int, max_chars: int) -> str:
    """A run's line on stderr for its `no_fit` leads: a record's `warnings` say it one at a
    time, and 5,000 empty leads under a tight --max-chars read as a silent success."""
    limit = f"--max-chars {max_chars}" if max_chars else f"the {HARD_MAX_CHARS}-character cap"
    mend = "raise it" if max_chars else f"a --max-chars over {HARD_MAX_CHARS} allows longer leads"
    return (f"note: {empty:,} of {leads:,} leads empty: no whole sentence near the top fits in "
            f"{limit}; {mend} (each record's `warnings` says so)")  # fmt: skip


def _check(text: object, title: object, max_sentences: object, max_chars: object) -> None:
    if not isinstance(text, str):
        raise InvalidInput("text must be a string", field="text")
    check_text(
        text,
        field="text",
        limit=MAX_TEXT_CHARS,
        empty="send the article body to summarise",
        over="split the page into articles first",
    )
    if not isinstance(title, str):
        raise InvalidInput("title must be a string (or empty)", field="title")
    check_lead_options(max_sentences, max_chars)


def candidates(text: str, title: str = "", *, weights: Weights = DEFAULT_WEIGHTS) -> Candidates:
    """All candidate units of `text` with their features; the tuner and `lead` share this."""
    return _candidates(text, title, target=weights.target)


def _no_lead(why: str) -> Lead:
    return Lead("", (), (why,))


def _pick(mask, mmr, k, lengths, leans, chosen, room, max_sentences) -> list[int]:
    """The best unit `mask` allows; one leaning on the sentence before it (`leans`) comes with
    that sentence's best unit ahead of it when both fit."""
    if not np.logical_or.reduce(mask):
        return []
    best = int(np.where(mask, mmr, -np.inf).argmax())
    if not leans[best] or len(chosen) + 2 > max_sentences:
        return [best]
    if np.logical_or.reduce(k[chosen] == k[best] - 1):
        return [best]
    before = mask & (k == k[best] - 1) & (lengths <= room - lengths[best])
    if not np.logical_or.reduce(before):
        return [best]  # (passed over or swapped for its antecedent, it cost ROUGE on tune)
    return [int(np.where(before, mmr, -np.inf).argmax()), best]


def _select(found: Candidates, max_sentences: int, max_chars: int, weights: Weights) -> Lead:
    text = found.text
    if not len(found):
        return _no_lead(
            "no lead: no sentence near the top can lead: one must end with 。！？!? (a line "
            "without final punctuation is a subhead, one trailing off in …… a teaser, and a "
            "list of who attended, …参加。, or a photo's caption, 图为…, is never a lead)"
        )
    # A caller's max_chars is hard (cap = budget); the default budget is soft up to
    # HARD_MAX_CHARS, at a cost in score for every character past it.
    budget = max_chars or DEFAULT_MAX_CHARS
    cap = max_chars or HARD_MAX_CHARS
    k, lengths, unit_vecs = found.sentence, found.length, found.vectors
    score = found.features @ np.asarray(weights.coef)
    chosen: list[int] = []
    used = 0
    # A piece of a quotation (it opens or ends inside the speech) leads only when no whole
    # sentence fits: the speech cut short misquotes.
    whole = ~found.partial if found.partial is not None else np.ones(len(found), dtype=bool)
    if not np.logical_or.reduce(whole & (lengths <= cap)):
        whole[:] = True
    # A sentence leaning on the one before (他强调，… 这是…) brings that one into the lead
    # when both fit: alone it points at what the lead dropped.
    leans = found.units.leans
    # Soft or hard, the budget is filled sentence by sentence: once it is spent, no more.
    while len(chosen) < max_sentences and used < budget:
        mask = whole & (lengths <= cap - used)
        # Past the soft budget, each character costs score: a long sentence may stand alone,
        # and a second sentence that runs the lead long must earn its place.
        mmr = score - weights.over * np.maximum(used + lengths - budget, 0) / budget
        if chosen:
            penalty = (unit_vecs @ unit_vecs[chosen].T).max(axis=1)
            mmr = mmr - weights.redundancy * penalty
            # One unit per sentence, and no near-duplicate of what the lead already says.
            # (np.isin's Python layers cost more than this lead's other array work together)
            mask &= np.logical_and.reduce(k[:, None] != k[chosen], axis=1) & (penalty < _DUPLICATE)
        picked = _pick(mask, mmr, k, lengths, leans, chosen, cap - used, max_sentences)
        if not picked:
            break
        chosen += picked
        used += int(lengths[picked].sum())
    if not chosen:
        limit = (
            f"{max_chars} character{'s' * (max_chars != 1)}"
            if max_chars
            else f"the {cap}-character hard cap"
        )
        return _no_lead(f"{_NO_FIT}{limit}")
    pieces = sorted(p for i in chosen for p in found.pieces(i))
    spans: list[tuple[int, int]] = []
    room = max(cap, budget) - sum(b - a for a, b in pieces)
    for a, b in pieces:
        gap = a - spans[-1][1] if spans else -1
        # Sentences separated by spaces (English copy) keep their space, when it fits.
        if gap == 0 or 0 < gap <= room and not text[spans[-1][1] : a].strip(" "):
            room -= max(gap, 0)
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    out = tuple(Span(a, b, text[a:b]) for a, b in spans)
    return Lead("".join(s.text for s in out), out)


def lead(
    text: str,
    title: str = "",
    *,
    label: str | None = None,
    max_sentences: int = 0,
    max_chars: int = 0,
    weights: Weights | None = None,
) -> Lead:
    """Write the lead of one article from its own whole sentences; spans are offsets into `text`.

    `max_sentences` and `max_chars` bound the lead (0 = the defaults: two sentences, 120
    characters, soft: the last sentence may run past 120 up to HARD_MAX_CHARS); an explicit
    `max_chars` is hard. When no whole sentence fits, the lead is empty and `Lead.warnings`
    says why. `label` (a desk) shifts the weights, e.g. a commentary's lead is its thesis; a
    desk with no weights of its own (any other label a model may be trained on) gets the default.
    """
    weights = _weights(text, title, label, max_sentences, max_chars, weights)
    found = candidates(text, title, weights=weights)
    return _select(found, max_sentences or DEFAULT_MAX_SENTENCES, max_chars, weights)


def leads(
    items: list[tuple[str, str, str | None]], *, max_sentences: int = 0, max_chars: int = 0
) -> list[Lead]:
    """`lead(text, title, label=label, …)` of each (text, title, label): the same leads, the
    batch's candidates made together (`lead_features.candidates_all`), in less time."""
    weights = [_weights(*item, max_sentences, max_chars) for item in items]
    found = candidates_all(
        [(t, title, w.target) for (t, title, _), w in zip(items, weights, strict=True)]
    )
    return [
        _select(f, max_sentences or DEFAULT_MAX_SENTENCES, max_chars, w)
        for f, w in zip(found, weights, strict=True)
    ]


def _weights(text, title, label, max_sentences, max_chars, weights=None) -> Weights:
    """The weights for `label` (or `weights`), once the arguments are checked."""
    _check(text, title, max_sentences, max_chars)
    if label is not None and not isinstance(label, str):
        raise InvalidInput("label must be a desk label (a string) or None", field="label")
    return LABEL_WEIGHTS.get(label or "", DEFAULT_WEIGHTS) if weights is None else weights
