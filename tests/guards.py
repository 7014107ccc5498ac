"""What the tests of cheap guards share: a guard put in front of a pattern for speed must let by
every string the pattern matches. A helper module, not a test module."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence


def admits_every_match(
    pattern: re.Pattern, guard: Callable[[str], object], pieces: Sequence[str], at_least: int
) -> None:
    """Strings of one to four of the pattern's own pieces (20,000, seeded): each the pattern
    matches, the guard admits; and enough match that the check says something."""
    rng = random.Random(97)
    matched = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        if pattern.fullmatch(text):
            matched += 1
            assert guard(text), text
    assert matched > at_least
