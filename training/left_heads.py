"""Heads the bare-page pass left inside a body, opened by a learned second look (issue 11, stop 55,
helper i188): tried, passed its month-out rule, not shipped for its cost (training/EXPERIMENTS.md).

A title glued into the article above is the largest error group of bare pages month out (90
heads: 90 titles, 163 bodies), and 80 of those heads stand as a run of short lines right under a
paragraph that ends a sentence, over running text: the shape of an in-body subhead, which the
head score (a window around the head) turned down. Once the rules after the pass are done
(`service.settle.settle_heads`), each such run (`candidates`) is read again by a logistic
regression over what its whole draft and the page show (`FEATURES`), fitted by
`training.opens_fit`; a run it gives a head at the bar is opened (`service.glued.split_at`, roles
by `parse_heads`). Never on a page whose titles carry `## `. The features that read text (the
seam's cohesion, the run's bigram shares, its likeness to the draft's other short lines) each lie
in [0, 1], so they are read only where they could still lift the score to its bar, and the
column-cut test only for runs that could reach it: about 5 % of a bare page's CPU all the same,
where bare pages sit on their speed bound. Branch `i188-hook` holds it wired into `settle`, its
weights in `service/data/left_heads.json`.
"""

from __future__ import annotations

__all__ = ["FEATURES", "candidates", "features", "open_left", "runs_of"]

import math
import re
from itertools import accumulate
from operator import mul

from service.cohesion import bigram_share, cohesion, head_bigrams
from service.cut_pieces import is_cut_piece
from service.lines import BYLINE_END, BYLINE_START, PARA, SHORT
from service.text import ends_paragraph

MAX_HEAD = 3  # head lines in a run (the pass's own limit: a longer run gives its top to the body)
SEAM = 240  # characters of the text above read against the run's first lines below
BELOW = 600  # characters below the run its words are looked for in
FEATURES = (
    "lines", "last_chars", "first_chars", "above_chars", "above_shorts", "below_chars",
    "below_shorts", "dated", "kicker", "subtitle", "titled", "closed", "ends_credit",
    "below_dated", "below_credit", "seam", "share_title", "share_above", "share_below",
    "same_length", "same_edges", "label", "ordinal", "colon", "quote", "exclaims", "comma",
    "space", "page_dated", "position", "page_drafts", "page_mean", "above_quote",
    "below_share", "first_run", "title_chars", "runs_in_draft",
)  # fmt: skip
# (each in [0, 1], read from text: left out while the rest keeps the score under its bar)
_READ = tuple(FEATURES.index(f) for f in ("seam", "share_title", "share_above", "share_below"))
_READ += tuple(FEATURES.index(f) for f in ("same_length", "same_edges"))
# (a column label closing the line; an ordinal or a mark opening it: as `training.joins_fit`)
_LABEL = re.compile(r".*[（(][^（）()]{2,}[）)]$")
_ORDINAL = re.compile(
    r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[●■◆▲★【]"
)


def candidates(d) -> list[tuple[int, int]]:
    """Each run `body[i:k]` of draft `d` shaped as a head under a finished paragraph: one to
    three short lines under a line ending a sentence, over running text or a credit, the last
    no piece the column cut off the line below."""
    body = d.body
    return [(i, k) for i, k in _shaped(d) if not is_cut_piece(body[k - 1].text, body[k].text)]


def _shaped(d) -> list[tuple[int, int]]:
    """`candidates` before the column-cut test (a segmenter's call: left to the runs that could
    still reach the bar)."""
    body, kinds = d.body, d.kinds
    out, i, n = [], 1, len(body)
    while i < n:
        if kinds[i] != SHORT or kinds[i - 1] != PARA or not ends_paragraph(body[i - 1].text):
            i += 1
            continue
        k = i
        while k < n and kinds[k] == SHORT:
            k += 1
        if k - i <= MAX_HEAD and k < n and kinds[k] in (PARA, BYLINE_START):
            out.append((i, k))
        i = k
    return out


class _Body:
    """A draft's body as the features read it, in time linear in the body: running counts of
    its characters and short lines, and (only once a run's text is read) the character pairs,
    lengths and edges of its lines above the run, built as the runs come down the body."""

    def __init__(self, d) -> None:
        self.texts = [s.text for s in d.body]
        self.chars = list(accumulate(map(len, self.texts), initial=0))
        self.shorts = list(accumulate((kd == SHORT for kd in d.kinds), initial=0))
        self.kinds = d.kinds
        self.lens_to, self.lens, self.edges = 0, set(), set()
        self.pairs_to, self.pairs, self.tail = 0, set(), ""

    def read(self, i: int, pairs: bool) -> None:
        """The lengths and edges of the short lines above line `i`, and with `pairs` the
        character pairs of the lines above it (across line ends too, as in the joined text);
        runs are read top down, so each line once."""
        for j in range(self.lens_to, i):
            if self.kinds[j] == SHORT:
                t = self.texts[j]
                self.lens.add(len(t))
                self.edges.add((t[:1], t[-1:]))
        self.lens_to = max(self.lens_to, i)
        for j in range(self.pairs_to, i if pairs else 0):
            t = self.texts[j]
            if self.tail and t:
                self.pairs.add(self.tail + t[0])
            self.pairs.update(t[m : m + 2] for m in range(len(t) - 1))
            self.tail = t[-1:] or self.tail
        self.pairs_to = max(self.pairs_to, i if pairs else 0)

    def above(self, i: int, n: int) -> str:
        """The last `n` characters of the lines above line `i`."""
        j, got = i, 0
        while j > 0 and got < n:
            j -= 1
            got += len(self.texts[j])
        return "".join(self.texts[j:i])[-n:]

    def below(self, k: int, n: int) -> str:
        """The first `n` characters of the lines from line `k` on."""
        j, got = k, 0
        while j < len(self.texts) and got < n:
            got += len(self.texts[j])
            j += 1
        return "".join(self.texts[k:j])[:n]


class _Page:
    """What the features read of the whole page, counted once."""

    def __init__(self, drafts: list) -> None:
        self.drafts, self.n = drafts, len(drafts)
        self.dated = sum(x.dated for x in drafts)
        self.mean = math.log1p(sum(x.chars for x in drafts) / self.n) if drafts else 0.0
        self.bodies: dict[int, _Body] = {}

    def body(self, at: int) -> _Body:
        if at not in self.bodies:
            self.bodies[at] = _Body(self.drafts[at])
        return self.bodies[at]

    def features(
        self, at: int, i: int, k: int, runs: int, read: bool = True, pairs: bool = True
    ) -> list[float]:
        """What the page shows of the run `drafts[at].body[i:k]` (`runs`: how many its draft
        holds); without `read`, the features in `_READ` are 0; without `pairs`, share_above
        (the one that reads every line above the run) is."""
        d, b, n = self.drafts[at], self.body(at), self.n
        kinds = d.kinds
        last, first = b.texts[k - 1], b.texts[i]
        above_n, below_n = b.chars[i], b.chars[-1] - b.chars[k]
        shorts_above = b.shorts[i]
        heads = d.title + d.kicker + d.subtitle
        head_n = sum(len(s.text) for s in heads) + max(0, len(heads) - 1)
        x = [
            float(k - i),
            len(last) / 20,
            len(first) / 20,
            math.log1p(above_n),
            math.log1p(shorts_above),
            math.log1p(below_n),
            math.log1p(b.shorts[-1] - b.shorts[k]),
            float(d.dated),
            float(bool(d.kicker)),
            float(bool(d.subtitle)),
            float(bool(d.title)),
            float(d.closed),
            float(kinds[-1] == BYLINE_END),
            float(kinds[k] == PARA and bool(d.values[k])),
            float(kinds[k] == BYLINE_START),
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            float(bool(_LABEL.match(last))),
            float(bool(_ORDINAL.match(first))),
            float(last[-1:] in "：:" or last.endswith("——")),
            float(last[:1] in '“"「'),
            float(last[-1:] in "！？!?"),
            float("，" in last or "," in last),
            float(" " in last.strip() or "\u3000" in last),
            (self.dated - d.dated) / (n - 1) if n > 1 else 0.0,
            at / max(1, n - 1),
            math.log1p(n),
            self.mean,
            float(b.texts[i - 1].rstrip()[-1:] in "”」』"),
            below_n / max(1, above_n + below_n),
            float(not shorts_above),
            head_n / 20,
            math.log1p(runs),
        ]
        if read:
            mine = head_bigrams(last)
            b.read(i, pairs)
            x[15] = cohesion(b.above(i, SEAM), "".join(b.texts[k : k + 3]))
            x[16] = bigram_share(mine, " ".join(s.text for s in heads))
            if pairs and mine:
                x[17] = sum(g in b.pairs for g in mine) / len(mine)
            x[18] = bigram_share(mine, b.below(k, BELOW))
            x[19] = float(len(last) in b.lens)
            x[20] = float((last[:1], last[-1:]) in b.edges)
        return x


def features(drafts: list, at: int, i: int, k: int, runs: int, read: bool = True) -> list[float]:
    """What the page shows of the run `drafts[at].body[i:k]` (`_Page.features`, for one run)."""
    return _Page(drafts).features(at, i, k, runs, read)


def runs_of(drafts: list, read: bool = True) -> list[tuple[int, int, int, list[float]]]:
    """Every candidate run of the page with its features (none on a page with `## ` titles)."""
    if any(d.marked for d in drafts):
        return []
    page, out = _Page(drafts), []
    for at, d in enumerate(drafts):
        if d.composite or SHORT not in d.kinds:
            continue
        found = candidates(d)
        for i, k in found:
            out.append((at, i, k, page.features(at, i, k, len(found), read)))
    return out


def open_left(drafts: list, model: tuple) -> None:
    """Each candidate run the model gives a head opened as an article of its own, in place
    (`model`: weights, bias and the bar in logits)."""
    if any(d.marked for d in drafts):
        return
    from service.glued import split_at

    weights, bias, cut = model
    lift = sum(max(0.0, weights[j]) for j in _READ)  # (the most the text features can add)
    above = max(0.0, weights[FEATURES.index("share_above")])  # (its lines read last)
    w_runs = weights[-1]  # (runs in the draft: known once the column-cut test is done)
    score = lambda x: bias + sum(map(mul, weights, x))  # noqa: E731
    fire, page = [], _Page(drafts)
    for at, d in enumerate(drafts):
        if d.composite or SHORT not in d.kinds or not (shaped := _shaped(d)):
            continue
        found = None
        # (runs in the draft lie in [1, len(shaped)]: their most at either end)
        most = max(w_runs * math.log1p(1), w_runs * math.log1p(len(shaped)))
        for i, k in shaped:
            x = page.features(at, i, k, 1, read=False)
            if score(x) - w_runs * x[-1] + most + lift < cut:
                continue
            found = candidates(d) if found is None else found
            if (i, k) not in found:
                continue
            x = page.features(at, i, k, len(found), pairs=False)
            if score(x) + above < cut:
                continue
            if score(page.features(at, i, k, len(found))) >= cut:
                fire.append((at, i, k))
    for at, i, k in reversed(fire):  # (from the bottom: the runs above keep their places)
        d = drafts[at]
        if (new := split_at(d, i, k, "")) is not None:
            new.closed, d.closed = d.closed, False
            drafts.insert(at + 1, new)
