"""The `newsdesk batch` options; the CLI owns the parser, batch says what its flags mean."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

__all__ = ["add_batch_arguments", "batch_from_args"]


def add_batch_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Register `newsdesk batch` options on a (sub)parser; cli.py owns the parser itself."""
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="JSONL files (.gz accepted), globs or folders; one record per line: id, title, text",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--model", default=None, metavar="PATH", help="model folder (default: models/desk)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local worker processes (default: all cores)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="run on this Dask cluster instead of local processes",
    )
    parser.add_argument(
        "--gather",
        action="store_true",
        help="with --scheduler: ship shards to workers and results back (no shared filesystem)",
    )
    parser.add_argument("--no-summary", action="store_true", help="label only, skip leads")
    parser.add_argument("--force", action="store_true", help="redo shards already complete")
    parser.add_argument(
        "--max-sentences", type=int, default=0, metavar="N", help="lead length (0 = default)"
    )
    parser.add_argument(
        "--max-chars", type=int, default=0, metavar="N", help="lead length (0 = default)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def batch_from_args(args: argparse.Namespace, progress: Callable | None = None) -> dict:
    """Run `newsdesk batch` from parsed arguments and return the job summary (cli prints it);
    `progress` receives `BatchProgress` snapshots (the CLI draws them, unless --quiet)."""
    from . import run_batch

    return run_batch(
        args.inputs,
        args.out,
        model=args.model or os.environ.get("NEWSDESK_MODEL") or None,
        workers=args.workers,
        scheduler=args.scheduler,
        gather=args.gather,
        summary=not args.no_summary,
        force=args.force,
        max_sentences=args.max_sentences,
        max_chars=args.max_chars,
        explain=getattr(args, "explain", 0),
        keywords=getattr(args, "keywords", 0),
        progress=progress,
    )
