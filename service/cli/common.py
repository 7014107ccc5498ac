"""What every command shares: the exit codes, the defaults, stderr messages, the model."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..validation import MAX_PAGE_CHARS

# The corpora sit beside the repository (../shared/data from its root), wherever one runs from.
REPO = Path(__file__).resolve().parents[2]
# (an empty variable is unset, as for the serve flags: Path("") is the working folder)
DEFAULT_DATA = os.environ.get("NEWSDESK_DATA") or str(REPO.parent / "shared" / "data")
EXIT_REJECTED = 3  # some records were rejected, the rest processed; 2 stays argparse's usage error
EXIT_HELP = f"""exit codes:
  0  all went well
  1  the run failed (model, data, file or server trouble; a --data folder that is missing
     or lacks a file the command needs)
  2  usage error (bad flag, missing input file, output that is the input or in a missing
     folder, a page that is empty, not UTF-8 or over {MAX_PAGE_CHARS:,} characters, or
     JSON Lines: records are for classify, summarise and batch)
  3  some records were rejected (reported on stderr / --errors); the rest were processed
  130, 143  stopped by Ctrl-C or SIGTERM (an -o FILE is left as it was; serve exits 0)
  a reader that stops early (| head) ends the run quietly, exit 0: the lines it read are whole"""


def _err(message: str) -> None:
    if sys.stderr is None:  # started with stderr closed (2>&-): print(file=None) means stdout,
        return  # where the notes went into the results
    print(message, file=sys.stderr, flush=True)


def _from_terminal(path: str | None, what: str, command: str) -> None:
    """Say so when the input is the terminal: `newsdesk classify` with no file otherwise sat
    silent, waiting for records a newcomer did not know it was reading."""
    if path in (None, "-") and sys.stdin is not None and sys.stdin.isatty():
        _err(
            f"reading {what} from the terminal (standard input): type or paste, then Ctrl-D; "
            f"or give a file: newsdesk {command} FILE"
        )


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _default_model() -> str:
    from ..classifier import DEFAULT_MODEL

    return os.environ.get("NEWSDESK_MODEL") or str(DEFAULT_MODEL)


def _load_classifier(path: str | None):
    from ..classifier import Classifier

    return Classifier.load(path or _default_model())


def _asked(args: Any) -> dict[str, Any]:
    """The lead bounds and term counts a command was given (0 where it has no such flag)."""
    return {k: getattr(args, k, 0) for k in ("max_sentences", "max_chars", "explain", "keywords")}
