"""An article being assembled by the page pass (`service.pages`): its head lines and the page
lines of its body, with what the head score and the rules settled after the pass read of it."""

from __future__ import annotations

__all__ = ["Draft"]

from service.documents import Span
from service.lines import PARA, SHORT


class Draft:
    """An article being assembled: its head lines and the page lines of its body."""

    __slots__ = (
        "dated",
        "title",
        "kicker",
        "subtitle",
        "start",
        "end",
        "body",
        "kinds",
        "values",
        "has_para",
        "closed",
        "chars",
        "shorts",
        "short_lens",
        "short_shapes",
        "composite",
        "marked",
        "joined",
        "heads",
        "pairs",
    )

    def __init__(self, title: list[Span], kicker: list[Span], subtitle: list[Span]) -> None:
        self.title, self.kicker, self.subtitle = title, kicker, subtitle
        heads = kicker + title + subtitle
        self.start = min([s.start for s in heads], default=0)
        self.end = max([s.end for s in heads], default=0)
        self.body: list[Span] = []
        self.kinds: list[str] = []
        self.values: list[str] = []  # what classify found: a credit, a jump, a dateline
        self.has_para = False
        self.closed = False
        self.dated = False
        self.chars = 0  # body characters so far, and the body's short lines: the head score's
        self.shorts: list[str] = []  # view of the article being read, kept as lines come
        # (their lengths, and `heads` keeps their shapes as it needs them: a head compared
        # with every short line above it made a long article of them quadratic)
        self.short_lens: set[int] = set()
        self.short_shapes: tuple[int, set] = (0, set())
        self.composite = False  # pieces under one heading (service.composite), or ITEMS
        self.marked = False  # the title is a `## ` heading: never a composite item's piece
        self.joined: tuple[int, str] = (0, "")  # body lines joined so far (cohesion.body_text)
        self.heads: list[Span] = []  # the bare head lines the pass parsed (service.settle)
        # (their pair score's features, as parse_heads read them: settle reads some again)
        self.pairs: dict[tuple[str, str], list[float]] | None = None

    def add(self, line: Span, kind: str, value: str = "") -> None:
        if not self.body and not self.title and not self.kicker:
            self.start = line.start
        self.body.append(line)
        self.kinds.append(kind)
        self.values.append(value)
        self.end = line.end
        self.chars += len(line.text)
        if kind == PARA:
            if not self.has_para:
                self.dated = bool(value)  # a PARA line's value is its dateline
                self.has_para = True
        elif kind == SHORT:
            self.shorts.append(line.text)
            self.short_lens.add(len(line.text))
