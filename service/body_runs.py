"""A draft's body as the rules after the pass read it: runs of short lines, paragraphs that
end, running text (`service.glued`, `service.lone_heads`)."""

from __future__ import annotations

import re

from service.composite import NOTE
from service.heads import CLOSER
from service.lines import SHORT
from service.text import BOX, ends_paragraph

__all__ = ["AGENCY", "BOX", "MAX_HEAD", "SHORT_MAX", "ended", "running", "shorts"]

MAX_HEAD = 3
SHORT_MAX = 40  # (service.lines: a longer line is running text)
AGENCY = re.compile(r"影像中国|人民视觉|视觉中国|新华社发")


def shorts(kinds):
    """Each short line's index below a body's first line, found by list.index (most body lines
    are running text)."""
    i = 0
    while True:
        try:
            i = kinds.index(SHORT, i + 1)
        except ValueError:
            return
        yield i


def running(line: str) -> bool:
    """Running text: longer than a short line, or a sentence ended."""
    return len(line) > SHORT_MAX or ends_paragraph(line)


def ended(above: str) -> bool:
    """The line above ends its paragraph: a sentence's end, a closing note (（综合…报道）) or a
    note wholly in brackets (（本系列评论到此结束）)."""
    if ends_paragraph(above):
        return True
    # (a note opens on a bracket, a photo's credit closes on 摄 or 摄影: most lines neither)
    if above.startswith(("（", "(")):
        return bool(CLOSER.fullmatch(above) or NOTE.fullmatch(above))
    return above.endswith(("摄", "影")) and bool(CLOSER.fullmatch(above))
