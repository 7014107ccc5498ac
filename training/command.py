"""How a training tool run as `python -m training.X` ends on a data mistake: one line, exit 1.

The `newsdesk` commands and `training.pages_eval` catch `DataError` in their own `main`; the
fitting and month-out tools share this instead of a traceback (README's exit codes: 1 for a
data folder missing or lacking what the command needs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from service.errors import DataError

__all__ = ["exit_with"]


def exit_with(main: Callable[[], int]) -> NoReturn:
    try:
        code = main()
    except DataError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        code = 1
    sys.exit(code)
