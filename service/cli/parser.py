"""The argument parser: one table of commands, shared option groups, help with defaults."""

from __future__ import annotations

import argparse
import os

from ..errors import InvalidInput
from .commands import (
    cmd_analyse,
    cmd_batch,
    cmd_convert_model,
    cmd_evaluate,
    cmd_evaluate_keywords,
    cmd_evaluate_summaries,
    cmd_serve,
    cmd_split,
    cmd_train,
)
from .common import DEFAULT_DATA, EXIT_HELP
from .records import cmd_classify, cmd_summarise

# --- parser ----------------------------------------------------------------------------------


def _lead_option(name: str):
    """An argparse type for a lead bound, checked as the summariser and the server check it."""

    def parse(text: str) -> int:
        from ..summariser import check_lead_options

        try:
            value = int(text)
            check_lead_options(**{"max_sentences": 0, "max_chars": 0, name: value})
        except InvalidInput as exc:  # before ValueError, which it is too
            raise argparse.ArgumentTypeError(exc.message) from None
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        return value

    return parse


def _add_lead_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-sentences", type=_lead_option("max_sentences"), default=0, help="0 = default (2)"
    )
    p.add_argument(
        "--max-chars",
        type=_lead_option("max_chars"),
        default=0,
        help="0 = default (120, soft: one sentence may run to 160); a value given is hard",
    )


def _term_count(name: str):
    """An argparse type for `--explain K` / `--keywords K`, checked as the pipeline checks it."""

    def parse(text: str) -> int:
        from ..pipeline import check_terms

        try:
            return check_terms(name, int(text))
        except InvalidInput as exc:  # before ValueError, which it is too
            raise argparse.ArgumentTypeError(exc.message) from None
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None

    return parse


def _add_term_options(p: argparse.ArgumentParser, *, label: bool = True) -> None:
    """`--explain [K]`, `--keywords [K]` (K defaults to 5 when the flag is bare; off without)."""
    p.add_argument(
        "--explain",
        type=_term_count("explain"),
        nargs="?",
        const=5,
        default=0,
        metavar="K",
        help="add `evidence`: the K words that most raised the label's logit, with spans "
        "(default K: 5)",
    )
    p.add_argument(
        "--keywords",
        type=_term_count("keywords"),
        nargs="?",
        const=5,
        default=0,
        metavar="K",
        help="add `keywords`: the K top words by TF-IDF, with spans (default K: 5)",
    )
    if label:
        p.add_argument(
            "--explain-label", metavar="LABEL", help="evidence for this label, not the predicted"
        )


def _add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", default="-", help="JSONL input (default stdin; .gz ok)")
    p.add_argument("-o", "--output", default="-", help="JSONL output (default stdout)")
    p.add_argument("--errors", help="write rejected records (line, reason) to this JSONL file")
    p.add_argument("--model", help="model folder (default models/desk or $NEWSDESK_MODEL)")
    p.add_argument(
        "--batch-size",
        type=_at_least_one,
        default=256,
        help="records per model call (default and most: 256, the lines a worker's chunk holds)",
    )
    p.add_argument("--server", help="HOST:PORT of a running newsdesk server to use instead")
    p.add_argument(
        "--token",
        default=os.environ.get("NEWSDESK_TOKEN"),
        help="bearer token for --server (env NEWSDESK_TOKEN, which `ps` does not show)",
    )


class _ServeHelp(argparse.ArgumentDefaultsHelpFormatter):
    """Serve flags show their defaults (often from NEWSDESK_* variables), but not a secret's."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return action.help if action.dest == "token" else super()._get_help_string(action)


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; serve and batch get their own flags only when `command` is theirs, so that
    `newsdesk classify` never imports grpc or dask."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Label Chinese news articles by desk and write their leads.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("split", help="split a raw newspaper page into articles (JSONL)")
    p.add_argument("page", help="page text file, or - for stdin")
    p.add_argument("-o", "--output", default="-")
    p.set_defaults(func=cmd_split)

    p = sub.add_parser("analyse", help="a page's articles with label, confidence and lead")
    p.add_argument("page", help="page text file, or - for stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    p.add_argument("--model", help="model folder (default models/desk)")
    p.add_argument("--no-summary", action="store_true", help="skip the leads")
    p.add_argument("-o", "--output", default="-")
    _add_lead_options(p)
    _add_term_options(p)
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("classify", help="add label and scores to JSONL records")
    _add_record_options(p)
    _add_term_options(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("summarise", help="add lead and lead_spans to JSONL records")
    _add_record_options(p)
    _add_lead_options(p)
    p.set_defaults(func=cmd_summarise)

    p = sub.add_parser("train", help="train the desk classifier (writes the folder atomically)")
    p.add_argument(
        "--data",
        default=DEFAULT_DATA,
        help="corpus folder (default ../shared/data beside the repository, or $NEWSDESK_DATA)",
    )
    p.add_argument("--out", default=None, help="model folder to write (default models/desk)")
    p.add_argument("--seed", type=int, default=13)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "convert-model",
        help="convert a pickled model folder you trust (model.joblib) to model.npz",
    )
    p.add_argument("folder", help="model folder holding model.joblib and manifest.json")
    p.add_argument("--out", default=None, help="write a converted copy here (default: in place)")
    p.set_defaults(func=cmd_convert_model)

    p = sub.add_parser("evaluate", help="evaluate a model on dev and gold dev, with the baseline")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--model", default=None)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("evaluate-summaries", help="ROUGE of our leads against the baselines")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--out", default="build/summaries")
    p.add_argument("--limit", type=int, default=None, help="evaluate on the first N docs only")
    p.set_defaults(func=cmd_evaluate_summaries)

    p = sub.add_parser(
        "evaluate-keywords", help="our keywords vs jieba and TextRank4ZH against 核心阅读"
    )
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--model", default=None)
    p.add_argument("--out", default="build/keywords")
    p.add_argument("--limit", type=_at_least_one, default=None, help="the first N articles only")
    p.set_defaults(func=cmd_evaluate_keywords)

    p = sub.add_parser(
        "serve",
        help="run the gRPC server",
        formatter_class=_ServeHelp,
    )
    p.set_defaults(func=cmd_serve)
    if command == "serve":
        from ..server import add_serve_arguments

        add_serve_arguments(p)

    p = sub.add_parser("batch", help="run JSONL shards on local processes or a Dask cluster")
    p.set_defaults(func=cmd_batch)
    if command == "batch":
        from ..batch import add_batch_arguments

        add_batch_arguments(p)
        _add_term_options(p, label=False)
    return parser
