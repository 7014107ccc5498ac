"""The `newsdesk` command line: thin commands over functions that return data; only it prints.

Exit codes: 0 ok; 1 the run failed (model, data or server trouble); 2 a usage error (as
argparse's own); 3 some input records were rejected while the rest was processed.

The package by topic: `parser` (the commands and their options), `commands` (pages, models,
jobs), `records` (classify/summarise over JSONL), `output` (files that appear whole, progress),
`common` (defaults, exit codes, messages).
"""

from __future__ import annotations

import errno
import gc
import signal
import sys

from .argv import cap_blas, pin_floats

# Before anything that loads numpy (`.common` does): `newsdesk classify …` run as a program.
cap_blas(sys.argv[1:])
pin_floats(sys.argv[1:])

from ..errors import (  # noqa: E402
    ClusterUnavailable,
    DataError,
    ExportError,
    InvalidInput,
    ModelError,
    ModelNotLoaded,
    NewsdeskError,
    RemoteError,
    ShardError,
    WorkerLost,
)
from .common import EXIT_REJECTED, _default_model, _err  # noqa: E402
from .parser import build_parser, parse_args  # noqa: E402

# A disk, file-size limit or quota full: errors of a write, named by the output they hit.
_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})

__all__ = ["main", "build_parser", "EXIT_CODES", "EXIT_REJECTED"]

# One table from error type to exit code; the most specific class wins.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (InvalidInput, 2),
    (ModelNotLoaded, 1),
    (ModelError, 1),
    (DataError, 1),
    (ExportError, 1),
    (ShardError, 1),
    (WorkerLost, 1),
    (ClusterUnavailable, 1),
    (RemoteError, 1),
    (NewsdeskError, 1),
)


def _exit_code(exc: BaseException) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return 1


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that every `finally` runs."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated("SIGTERM")  # what a stopped batch's _summary.json says


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cap_blas(argv)  # (a caller of main() that has not loaded numpy yet)
    pin_floats(argv)
    args = parse_args(argv)
    if getattr(args, "command", None) != "serve":  # the server drains on SIGTERM its own way
        # SIGTERM (kill, a scheduler's stop) unwinds like Ctrl-C: workers are stopped and
        # half-written outputs removed, instead of the process vanishing mid-write.
        signal.signal(signal.SIGTERM, _terminated)
    if getattr(args, "command", None) == "train" and args.out is None:
        args.out = _default_model()
    try:
        code = args.func(args)
        # The process ends now: frozen, its objects are not traced once more by the collection
        # that interpreter shutdown runs (0.02 s after a run with a model loaded).
        gc.freeze()
        return code
    except NewsdeskError as exc:
        # (a server's id of the failed call finds its lines in the server's log)
        rid = f" (server request id {exc.request_id})" if exc.request_id else ""
        _err(f"newsdesk {args.command}: {type(exc).__name__}: {exc.message}{rid}")
        return _exit_code(exc)
    except _Terminated as exc:
        _err(_stopped(args, "terminated", exc))
        return 143
    except KeyboardInterrupt as exc:
        _err(_stopped(args, "interrupted", exc))
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that cannot be read or written, a corrupt gzip stream
        import gzip

        kind = type(exc).__name__  # (every error line names its type, as ours do)
        if exc.errno in _FULL:  # only a write fails so; it said "[Errno 28] No space…" alone
            exc = f"cannot write {_output_name(args)}: {exc.strerror}"
        elif isinstance(exc, gzip.BadGzipFile):  # it said "Not a gzipped file (b'tr')" alone
            why = f"{exc}: damaged, or bytes after its end"
            exc = f"{_input_name(args)} is not a sound gzip file ({why}); check it with gzip -t"
        _err(f"newsdesk {args.command}: {kind}: {exc}")
        return 1
    except EOFError as exc:  # gzip's word for a truncated stream
        what = _input_name(args)
        why = f"{what} ends early, a truncated gzip file? ({exc}); check it with gzip -t"
        _err(f"newsdesk {args.command}: EOFError: {why}, and copy or fetch it again")
        return 1


def _stopped(args, how: str, exc: BaseException) -> str:
    """What a stopped run says: a stopped `train` (minutes in) names the model folder it spared,
    or, stopped past the folder's swap, that the new model is there; classify and summarise
    what their output holds (the stop's notes, records._written)."""
    if getattr(args, "command", None) != "train" or not hasattr(args, "manifest_before"):
        notes = getattr(exc, "__notes__", ())
        return "; ".join([f"newsdesk {args.command}: {how}", *notes]) if notes else how
    from .commands import manifest_text

    if manifest_text(args.out) != args.manifest_before:
        return f"newsdesk train: {how} after the new model was written to {args.out}"
    return f"newsdesk train: {how}; {args.out} left as it was (no model written)"


def _output_name(args) -> str:
    for flag in ("output", "out"):
        target = getattr(args, flag, None)
        if target not in (None, "-"):
            return f"--{flag} {target}"
    return "standard output"


def _input_name(args) -> str:
    source = getattr(args, "input", None) or getattr(args, "page", None)
    return source if source not in (None, "-") else "the input"
